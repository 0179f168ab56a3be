/** `run.json`: what was run, with which versions, and how long it took. Written atomically. */
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../errors.js";
import { writeJsonAtomic } from "../io/atomic-write.js";

export const RUN_FILE = "run.json";

export interface RunInfo {
  runId: string;
  inputsHash: string;
  /** "interrupted": stopped by SIGINT/SIGTERM; the folder is kept for `--resume`. */
  status: "running" | "complete" | "failed" | "interrupted";
  /** ISO 8601 UTC. */
  startedAt: string;
  finishedAt?: string;
  /** When and by which signal the run was interrupted. */
  interruptedAt?: string;
  signal?: string;
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
