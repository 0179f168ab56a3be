/**
 * Checks of output paths (`--out`) before any work starts: an empty path, a file where a folder is
 * expected, a folder nobody may write, or a special file system (`/proc`, `/sys`) is a usage error
 * at once, not after minutes of simulation. Folders are created one level at a time: Node's
 * recursive mkdir can loop forever on file systems where mkdir reports ENOENT for a parent that
 * exists (procfs).
 */
import { accessSync, constants, closeSync, mkdirSync, openSync, statSync, unlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, "")}` : String((e as Error).message ?? e);
}

function statOrUndefined(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** Throws unless a new file can be created in folder `dir` (a probe file, removed at once). */
function probeWritable(dir: string, flag: string, target: string): void {
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
    const probe = join(dir, `.hisim-write-probe.${process.pid}.tmp`);
    closeSync(openSync(probe, "wx"));
    unlinkSync(probe);
  } catch (e) {
    throw new UsageError(`${flag} ${target}: cannot write in ${dir} (${errText(e)}); expected a writable folder`);
  }
}

/** The nearest existing ancestor of `p` (or `p` itself), and the folders below it still to create, top down. */
function existingAncestor(p: string): { base: string; missing: string[] } {
  const missing: string[] = [];
  let cur = p;
  // At most one step per path component: dirname of the root is the root.
  for (;;) {
    if (statOrUndefined(cur)) return { base: cur, missing };
    const up = dirname(cur);
    if (up === cur) return { base: cur, missing };
    missing.unshift(cur);
    cur = up;
  }
}

/**
 * Checks that `out` can be used as an output folder: not empty, a folder (or creatable under a
 * writable folder), and writable. Creates nothing.
 * @returns the absolute path
 * @throws UsageError naming the flag and what is wrong
 */
export function checkOutDir(out: string, flag = "--out"): string {
  if (out.trim() === "") throw new UsageError(`${flag}: expected a folder path, got an empty string`);
  const abs = resolve(out);
  const { base, missing } = existingAncestor(abs);
  const st = statOrUndefined(base);
  if (!st) throw new UsageError(`${flag} ${abs}: no part of the path exists`);
  if (!st.isDirectory()) {
    throw new UsageError(missing.length === 0 ? `${flag} ${abs} is not a folder` : `${flag} ${abs}: ${base} is not a folder`);
  }
  probeWritable(base, flag, abs);
  return abs;
}

/**
 * Creates the output folder `out` (checked as `checkOutDir` does), one level at a time.
 * @returns the absolute path
 */
export function ensureOutDir(out: string, flag = "--out"): string {
  const abs = checkOutDir(out, flag);
  for (const dir of existingAncestor(abs).missing) {
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && statOrUndefined(dir)?.isDirectory()) continue;
      throw new UsageError(`${flag} ${abs}: cannot create ${dir} (${errText(e)})`);
    }
  }
  return abs;
}

/**
 * Checks that `out` can be written as a file: not empty, not a folder, in an existing writable folder.
 * @returns the absolute path
 */
export function checkOutFile(out: string, flag = "--out"): string {
  if (out.trim() === "") throw new UsageError(`${flag}: expected a file path, got an empty string`);
  const abs = resolve(out);
  const st = statOrUndefined(abs);
  if (st && !st.isFile()) throw new UsageError(`${flag} ${abs} exists and is not a regular file`);
  const dir = dirname(abs);
  const d = statOrUndefined(dir);
  if (!d) throw new UsageError(`${flag} ${abs}: folder ${dir} does not exist`);
  if (!d.isDirectory()) throw new UsageError(`${flag} ${abs}: ${dir} is not a folder`);
  probeWritable(dir, flag, abs);
  return abs;
}
