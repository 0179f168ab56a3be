/**
 * The run id: `<UTC yyyymmdd-hhmmss>-<slug of the SLO name>-<6 hex of the inputs' hash>`, e.g.
 * `20261123-101500-chat-qwen3-32b-a1b2c3`. Same inputs, same hash, so `--resume` without `--out`
 * finds the latest earlier run of the same inputs.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { shortHash } from "./content-hash.js";

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
