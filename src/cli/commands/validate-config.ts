import { InputError } from "../../errors.js";
import { validateConfigFile } from "../../inputs/load.js";
import { resolveModel } from "../../catalog/index.js";
import type { CliIo } from "../io.js";

export async function validateConfigCommand(file: string, io: CliIo): Promise<void> {
  const { kind, issues } = validateConfigFile(file);
  if (issues.length > 0) throw new InputError(issues);
  if (kind === "hf-config") resolveModel(file);
  io.out(`${file}: valid ${kind}\n`);
}
