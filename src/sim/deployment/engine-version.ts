/**
 * Engine releases as the simulator models them. The accepted version strings are the schema's enum
 * (`SGLANG_VERSIONS` / `VLLM_VERSIONS` in src/config/schemas/deployment.schema.ts, whose last
 * entries these defaults must equal; a test checks it); behaviour is decided here by comparing
 * release numbers, so post releases (".postN") behave as their release. docs/engine-versions.md
 * lists what changes by version, with the upstream sources.
 */
import type { EngineKind } from "../../config/types.js";

/** The newest modelled release of each engine: the default when `engine.version` is absent. */
export const NEWEST_ENGINE_VERSION: Readonly<Record<EngineKind, string>> = { sglang: "0.5.9", vllm: "0.12.0" };

/** Numeric parts of a release ("0.5.8.post1" -> [0, 5, 8]; "0.10.1.1" -> [0, 10, 1, 1]). */
export function releaseParts(version: string): number[] {
  const m = /^\d+(\.\d+)*/.exec(version);
  return m ? m[0].split(".").map(Number) : [];
}

/** Whether `version` is `min` or later (missing parts count as 0). */
export function atLeastVersion(version: string, min: string): boolean {
  const a = releaseParts(version);
  const b = releaseParts(min);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}
