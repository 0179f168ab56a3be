/**
 * `trials.jsonl`: one JSON line per finished simulation, appended with a single write and flushed
 * (fdatasync) at once. A run killed at any moment keeps every trial that finished, and at worst a
 * torn last line, which `readTrials` ignores and `TrialLog.open` cuts off.
 */
import {
  closeSync, existsSync, fdatasyncSync, ftruncateSync, openSync, readFileSync, statSync, writeSync,
} from "node:fs";
import { join } from "node:path";
import { InputError, RuntimeFailure } from "../errors.js";

export const TRIALS_FILE = "trials.jsonl";

/**
 * Reads `trials.jsonl`. A torn last line (a run killed mid-write) is ignored; any other line that
 * is not a JSON object with a string `id` is an InputError naming the line.
 * Returns records in file order; when an id repeats, the caller should keep the last.
 */
export function readTrials<T extends { id: string } = { id: string }>(dir: string): T[] {
  const p = join(dir, TRIALS_FILE);
  if (!existsSync(p)) return [];
  const text = readFileSync(p, "utf8");
  const lines = text.split("\n");
  // After a complete last line, split leaves "" at the end; anything else there is torn.
  lines.pop();
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let rec: unknown;
    try {
      rec = JSON.parse(line);
    } catch (e) {
      throw new InputError({ file: p, path: `line ${i + 1}`, message: `not valid JSON (${(e as Error).message})` });
    }
    if (typeof rec !== "object" || rec === null || typeof (rec as { id?: unknown }).id !== "string") {
      throw new InputError({ file: p, path: `line ${i + 1}`, message: "expected an object with a string id" });
    }
    out.push(rec as T);
  });
  return out;
}

/** Appends one JSON line per finished trial to `trials.jsonl`. */
export class TrialLog<T extends { id: string } = { id: string }> {
  private fd: number | undefined;
  private appended = 0;

  private constructor(readonly path: string, fd: number, private readonly durable: boolean) {
    this.fd = fd;
  }

  /**
   * Opens `<dir>/trials.jsonl` for appending, creating it if needed. A torn last line left by a
   * killed run is cut off first, so the next record starts on a line of its own.
   * `durable` (default true) flushes each line to disk before `append` returns.
   */
  static open<T extends { id: string } = { id: string }>(dir: string, opts: { durable?: boolean } = {}): TrialLog<T> {
    const path = join(dir, TRIALS_FILE);
    try {
      const fd = openSync(path, "a+");
      const size = statSync(path).size;
      if (size > 0) {
        const text = readFileSync(path);
        const lastNl = text.lastIndexOf(0x0a);
        if (lastNl !== size - 1) ftruncateSync(fd, lastNl + 1);
      }
      return new TrialLog<T>(path, fd, opts.durable ?? true);
    } catch (e) {
      throw new RuntimeFailure(`cannot open ${path}: ${(e as Error).message}`);
    }
  }

  /** Appends `record` as one line (a single write) and flushes it. */
  append(record: T): void {
    if (this.fd === undefined) throw new RuntimeFailure(`${this.path} is closed`);
    const line = Buffer.from(`${JSON.stringify(record)}\n`, "utf8");
    try {
      let off = 0;
      while (off < line.length) off += writeSync(this.fd, line, off, line.length - off);
      if (this.durable) fdatasyncSync(this.fd);
    } catch (e) {
      throw new RuntimeFailure(`cannot append to ${this.path}: ${(e as Error).message}`);
    }
    this.appended++;
  }

  /** Records appended through this handle. */
  get count(): number {
    return this.appended;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
