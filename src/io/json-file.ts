import { existsSync, readFileSync, statSync } from "node:fs";
import { InputError } from "../errors.js";

/** Reads and parses a JSON file; a missing file or bad JSON is an InputError naming the file. */
export function readJsonFile(path: string): unknown {
  if (!existsSync(path)) throw new InputError({ file: path, message: "file does not exist" });
  if (statSync(path).isDirectory()) throw new InputError({ file: path, message: "expected a file, found a directory" });
  const text = readFileSync(path, "utf8");
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = "";
    if (pos) {
      const upto = text.slice(0, Number(pos[1]));
      const line = upto.split("\n").length;
      const col = Number(pos[1]) - upto.lastIndexOf("\n");
      where = ` at line ${line}, column ${col}`;
    }
    throw new InputError({ file: path, message: `not valid JSON${where} (${msg})` });
  }
}
