/**
 * The results folder of one search run (SPEC section 7): `results/<run-id>/` or `--out`.
 *
 * - The run id is `<UTC yyyymmdd-hhmmss>-<slug of the SLO name>-<6 hex of the inputs' hash>`,
 *   e.g. `20261123-101500-chat-qwen3-32b-a1b2c3`. Same inputs, same hash, so `--resume` without
 *   `--out` finds the latest earlier run of the same inputs.
 * - `trials.jsonl` gets one JSON line per finished simulation, appended with a single write and
 *   flushed (fdatasync) at once: a run killed at any moment keeps every trial that finished, and at
 *   worst a torn last line, which `readTrials` ignores and `TrialLog.open` cuts off.
 * - Everything else (`run.json`, `frontier.json`, reports) is written atomically.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import {
  closeSync, existsSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, statSync,
  unlinkSync, writeSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError, RuntimeFailure, UsageError } from "../errors.js";
import { writeFileAtomic, writeJsonAtomic } from "./atomic-write.js";

export const TRIALS_FILE = "trials.jsonl";
export const RUN_FILE = "run.json";

/** JSON with object keys sorted and `undefined` members left out, for hashing. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v === null || typeof v !== "object" || Array.isArray(v) || ArrayBuffer.isView(v)) return v;
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) out[k] = o[k];
    return out;
  });
}

/**
 * The first `hexDigits` hex digits of the SHA-256 of `value`'s canonical JSON: a stable id for a
 * deployment or a trial (same content, same id, whatever the key order).
 */
export function shortHash(value: unknown, hexDigits = 12): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, hexDigits);
}

/** First 6 hex digits of the SHA-256 of the inputs' canonical JSON (the run id's suffix). */
export function hashInputs(inputs: unknown): string {
  return shortHash(inputs, 6);
}

/** Lower-case `[a-z0-9-]` slug of at most 40 characters ("run" when nothing is left). */
export function slugify(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return s || "run";
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

/** `yyyymmdd-hhmmss-<slug>-<hash>` in UTC. */
export function makeRunId(name: string, inputsHash: string, now: Date): string {
  const ts = `${now.getUTCFullYear()}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())}-` +
    `${pad(now.getUTCHours())}${pad(now.getUTCMinutes())}${pad(now.getUTCSeconds())}`;
  return `${ts}-${slugify(name)}-${inputsHash}`;
}

/** Matches a run id; group 1 is the slug, group 2 the hash. */
export const RUN_ID_RE = /^\d{8}-\d{6}-([a-z0-9-]+)-([0-9a-f]{6})$/;

/** `run.json`: what was run, with which versions, and how long it took. */
export interface RunInfo {
  runId: string;
  inputsHash: string;
  status: "running" | "complete" | "failed";
  /** ISO 8601 UTC. */
  startedAt: string;
  finishedAt?: string;
  /** Each time the run was continued with --resume (ISO 8601 UTC). */
  resumedAt?: string[];
  seed: number;
  /** Command-line flags that shape the run (workers, maxRuns, exhaustive...). */
  flags: Record<string, unknown>;
  /** The resolved inputs (SLO spec, search space, file paths) the hash covers. */
  inputs: unknown;
  versions: ToolVersions;
  /** Wall seconds by phase, e.g. `{ "stage1S": 0.2, "stage2S": 31.0, "totalS": 48.2 }`. */
  timings: Record<string, number>;
  /** Simulations run, and how many of them came from an earlier attempt's trials.jsonl. */
  runs?: number;
  reusedTrials?: number;
}

export interface ToolVersions {
  hisimTune: string;
  node: string;
  mathjs: string;
  piscina: string;
}

/** The version in the package.json of installed package `name` (found from its entry file upwards). */
function depVersion(name: string): string {
  try {
    let dir = dirname(createRequire(import.meta.url).resolve(name));
    for (;;) {
      const p = join(dir, "package.json");
      if (existsSync(p)) {
        const pkg = JSON.parse(readFileSync(p, "utf8")) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      }
      const up = dirname(dir);
      if (up === dir) return "unknown";
      dir = up;
    }
  } catch {
    return "unknown";
  }
}

/** Versions recorded in run.json (read from package.json files, without loading the packages). */
export function toolVersions(): ToolVersions {
  let hisimTune = "unknown";
  try {
    const pkg = JSON.parse(readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), "../../package.json"), "utf8")) as { version?: string };
    hisimTune = pkg.version ?? "unknown";
  } catch {
    /* running from an unusual layout; the version is informative only */
  }
  return { hisimTune, node: process.version, mathjs: depVersion("mathjs"), piscina: depVersion("piscina") };
}

/** An open results folder. */
export interface ResultsDir {
  /** Absolute path of the folder. */
  path: string;
  runId: string;
  inputsHash: string;
  /** True when continuing an earlier run (its trials.jsonl may hold finished trials). */
  resumed: boolean;
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

/** The newest run folder under `root` whose id has this slug and hash, or undefined. */
export function findLatestRun(root: string, name: string, inputsHash: string): string | undefined {
  if (!existsSync(root)) return undefined;
  const slug = slugify(name);
  const ids = readdirSync(root)
    .filter((d) => {
      const m = RUN_ID_RE.exec(d);
      return m !== null && m[1] === slug && m[2] === inputsHash && statSync(join(root, d)).isDirectory();
    })
    .sort(); // timestamps sort lexicographically
  return ids.length > 0 ? join(root, ids[ids.length - 1]) : undefined;
}

/**
 * Creates (or, with `resume`, reopens) the results folder. A fresh run refuses a folder that
 * already holds a run; a resumed run refuses one made from different inputs.
 */
export function openResultsDir(opts: OpenResultsOptions): ResultsDir {
  const inputsHash = hashInputs(opts.inputs);
  const root = resolve(opts.root ?? "results");
  if (opts.resume) {
    const path = opts.out !== undefined ? resolve(opts.out) : findLatestRun(root, opts.name, inputsHash);
    if (path === undefined) {
      throw new UsageError(`--resume: no earlier run of these inputs under ${root} (looked for *-${slugify(opts.name)}-${inputsHash}); run without --resume, or name the folder with --out`);
    }
    if (!existsSync(path) || !holdsRun(path)) {
      throw new UsageError(`--resume: ${path} holds no run to continue; run without --resume to start one there`);
    }
    const info = readRunInfo(path);
    if (info && info.inputsHash !== inputsHash) {
      throw new UsageError(`--resume: ${path} was made from different inputs (hash ${info.inputsHash}, now ${inputsHash}); its trials would not match`);
    }
    const runId = info?.runId ?? makeRunId(opts.name, inputsHash, opts.now ?? new Date());
    removeStaleTemps(path);
    return { path, runId, inputsHash, resumed: true };
  }
  const runId = makeRunId(opts.name, inputsHash, opts.now ?? new Date());
  const path = opts.out !== undefined ? resolve(opts.out) : join(root, runId);
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new UsageError(`--out ${path} is a file, expected a folder`);
    if (holdsRun(path)) {
      throw new UsageError(`${path} already holds a run; pass --resume to continue it, or choose another --out`);
    }
  }
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new RuntimeFailure(`cannot create results folder ${path}: ${(e as Error).message}`);
  }
  return { path, runId, inputsHash, resumed: false };
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

/** Writes `run.json` atomically. */
export function writeRunInfo(dir: string, info: RunInfo): void {
  writeJsonAtomic(join(dir, RUN_FILE), info);
}

/** Reads `run.json`, or undefined when there is none. */
export function readRunInfo(dir: string): RunInfo | undefined {
  const p = join(dir, RUN_FILE);
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, "utf8")) as RunInfo;
  } catch (e) {
    throw new InputError({ file: p, message: `not valid JSON (${(e as Error).message})` });
  }
}

/** Writes a text file of the results folder atomically (`summary.md`, `frontier.csv`...). */
export function writeResultFile(dir: string, name: string, text: string): void {
  writeFileAtomic(join(dir, name), text);
}

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
