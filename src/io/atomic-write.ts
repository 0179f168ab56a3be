/**
 * Atomic file writes: the data goes to a temporary file in the same directory, is flushed to disk,
 * and is renamed over the target. Readers (and a run killed at any moment) see the old file or the
 * new one, never a half-written one. Rename is atomic only within one file system, hence the
 * temporary file sits next to the target.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { RuntimeFailure } from "../errors.js";

let counter = 0;

/** Temporary name next to `path`: hidden, unique per process and call, ends in `.tmp`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${++counter}.tmp`);
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/**
 * Writes `data` (UTF-8 for strings) to `path` atomically. The directory must exist. On failure the
 * temporary file is removed and a RuntimeFailure names the target.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, "wx", 0o644);
    writeAll(fd, bytes);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing; the original error is the one to report */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created, or already renamed */
    }
    throw new RuntimeFailure(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/** `JSON.stringify(value, null, 2)` plus a final newline, written atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}
