/**
 * The results folder of one search run: `results/<run-id>/` or `--out`. It holds `run.json`
 * (run-info.ts), `trials.jsonl` (trial-log.ts) and the outputs (`frontier.json`, reports); all but
 * the trial log are written atomically.
 */
import { existsSync, readdirSync, statSync, unlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic-write.js";
import { ensureOutDir } from "../io/out-path.js";
import { lockResultsDir, type ResultsDirLock } from "./lock.js";
import { findLatestRun, hashInputs, makeRunId, slugify } from "./run-id.js";
import { readRunInfo, RUN_FILE } from "./run-info.js";
import { TRIALS_FILE } from "./trial-log.js";

/** An open results folder. */
export interface ResultsDir {
  /** Absolute path of the folder. */
  path: string;
  runId: string;
  inputsHash: string;
  /** True when continuing an earlier run (its trials.jsonl may hold finished trials). */
  resumed: boolean;
  /** The folder's lock, held from the moment it was opened; the caller releases it when done writing. */
  lock: ResultsDirLock;
}

export interface OpenResultsOptions {
  /** SLO spec name, used in the run id. */
  name: string;
  /** Everything that determines the result (resolved specs, seed, flags); hashed into the run id. */
  inputs: unknown;
  /** `--out`: the folder to use instead of `<root>/<run-id>`. */
  out?: string;
  /** Parent of generated run folders. @default "results" (relative to the working directory) */
  root?: string;
  /** `--resume`: continue the run in `out`, or the latest run of the same inputs under `root`. */
  resume?: boolean;
  /** Clock for the run id. @default new Date() */
  now?: Date;
}

function holdsRun(dir: string): boolean {
  return existsSync(join(dir, TRIALS_FILE)) || existsSync(join(dir, RUN_FILE)) || existsSync(join(dir, "frontier.json"));
}

/** Runs `fn` with the folder's lock held, releasing it if `fn` throws. */
function underLock<T>(path: string, fn: (lock: ResultsDirLock) => T): T {
  const lock = lockResultsDir(path);
  try {
    return fn(lock);
  } catch (e) {
    lock.release();
    throw e;
  }
}

/**
 * Creates (or, with `resume`, reopens) the results folder and locks it. A fresh run refuses a
 * folder that already holds a run; a resumed run refuses one made from different inputs; both
 * refuse a folder another live run holds (exit 2).
 */
export function openResultsDir(opts: OpenResultsOptions): ResultsDir {
  const inputsHash = hashInputs(opts.inputs);
  const root = resolve(opts.root ?? "results");
  if (opts.resume) {
    const path = opts.out !== undefined ? resolve(opts.out) : findLatestRun(root, opts.name, inputsHash);
    if (path === undefined) {
      throw new UsageError(`--resume: no earlier run of these inputs under ${root} (looked for *-${slugify(opts.name)}-${inputsHash}); run without --resume, or name the folder with --out`);
    }
    if (!existsSync(path) || !statSync(path).isDirectory() || !holdsRun(path)) {
      throw new UsageError(`--resume: ${path} holds no run to continue; run without --resume to start one there`);
    }
    return underLock(path, (lock) => {
      const info = readRunInfo(path);
      if (info && info.inputsHash !== inputsHash) {
        throw new UsageError(`--resume: ${path} was made from different inputs (hash ${info.inputsHash}, now ${inputsHash}); its trials would not match`);
      }
      const runId = info?.runId ?? makeRunId(opts.name, inputsHash, opts.now ?? new Date());
      // Only now, with the lock held: a live run's temporary files are not stale.
      removeStaleTemps(path);
      return { path, runId, inputsHash, resumed: true, lock };
    });
  }
  const runId = makeRunId(opts.name, inputsHash, opts.now ?? new Date());
  const path = opts.out !== undefined ? resolve(opts.out) : join(root, runId);
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new UsageError(`--out ${path} is a file, expected a folder`);
    if (holdsRun(path)) {
      throw new UsageError(`${path} already holds a run; pass --resume to continue it, or choose another --out`);
    }
  }
  ensureOutDir(path);
  return underLock(path, (lock) => {
    // Checked again under the lock: another run may have started here meanwhile.
    if (holdsRun(path)) throw new UsageError(`${path} already holds a run; pass --resume to continue it, or choose another --out`);
    return { path, runId, inputsHash, resumed: false, lock };
  });
}

/** Removes temporary files an atomic write left behind when its process was killed. */
function removeStaleTemps(dir: string): void {
  for (const f of readdirSync(dir)) {
    if (/^\..+\.\d+\.\d+\.tmp$/.test(f)) {
      try {
        unlinkSync(join(dir, f));
      } catch {
        /* another process may have taken it; harmless */
      }
    }
  }
}

/** Writes a text file of the results folder atomically (`summary.md`, `frontier.csv`...). */
export function writeResultFile(dir: string, name: string, text: string): void {
  writeFileAtomic(join(dir, name), text);
}

/** Writes a JSON file of the results folder atomically (two-space indent, final newline). */
export function writeResultJson(dir: string, name: string, value: unknown): void {
  writeJsonAtomic(join(dir, name), value);
}
