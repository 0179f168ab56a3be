/** What every trace format parser shares: its interface, field checks and error messages. */
import type { traceFormatSchema } from "../../config/schemas/common.schema.js";
import { InputError } from "../../errors.js";
import type { TraceTableBuilder } from "../../sim/workload/trace-table-builder.js";

/** A concrete trace format (the schema's list without "auto"). */
export type TraceFormat = Exclude<(typeof traceFormatSchema.enum)[number], "auto">;

/** Parses the lines of one format into a builder. */
export interface FormatParser {
  readonly format: TraceFormat;
  /** Tokens per block of the format's hashes (16 for formats without hashes: unique ids). */
  readonly blockSize: number;
  /** Handles one non-empty line; returns true when it added a request. */
  line(text: string, lineNo: number, out: TraceTableBuilder): boolean;
  /** Records skipped as failed requests (BurstGPT rows with zero tokens). */
  readonly skipped: number;
}

/** An InputError naming the file and line. */
export function lineError(file: string, lineNo: number, message: string): InputError {
  return new InputError({ file, message: `line ${lineNo}: ${message}` });
}

/** One JSONL record, which must be a JSON object. */
export function parseJsonRecord(text: string, file: string, lineNo: number): Record<string, unknown> {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw lineError(file, lineNo, `expected one JSON object per line (${(e as Error).message})`);
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) throw lineError(file, lineNo, "expected a JSON object");
  return o as Record<string, unknown>;
}

function show(v: unknown): string {
  const s = v === undefined ? "nothing" : JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** A finite number (JSON number, or numeric CSV text) or an error naming the field. */
export function numberField(v: unknown, name: string, file: string, lineNo: number): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) throw lineError(file, lineNo, `expected "${name}" to be a number, got ${show(v)}`);
  return n;
}

/** A token count >= 1, or an error naming the field. */
export function tokensField(v: unknown, name: string, file: string, lineNo: number): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 31 - 1) {
    throw lineError(file, lineNo, `expected "${name}" to be a positive integer (tokens), got ${show(v)}`);
  }
  return n;
}

/** Appends a record's `hash_ids` (optional array of integers) as raw per-block hashes. */
export function pushHashIds(v: unknown, file: string, lineNo: number, out: TraceTableBuilder): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v)) throw lineError(file, lineNo, `expected "hash_ids" to be an array of integers, got ${show(v)}`);
  for (let k = 0; k < v.length; k++) {
    const h = v[k];
    if (typeof h !== "number" || !Number.isSafeInteger(h)) {
      throw lineError(file, lineNo, `expected "hash_ids" to be an array of integers, got ${show(h)} at index ${k}`);
    }
    out.pushRawHash(h);
  }
}

/** A numeric key for an id that may be a number or a string (chat ids, session ids). */
export function keyOf(v: unknown): number {
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  const s = String(v);
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  // 52-bit key, negative so it never equals a (non-negative) numeric id.
  return -((a >>> 0) * 1048576 + (b & 0xfffff)) - 1;
}
