/**
 * Content hashes of plain data: the same content gives the same id whatever its key order. They
 * name deployments (point ids), trials (trial ids) and a run's inputs (the run id's suffix).
 */
import { createHash } from "node:crypto";

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
