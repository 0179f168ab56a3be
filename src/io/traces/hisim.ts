/**
 * HiSim collection JSONL (alibaba/tair-kvcache `hisim`): `{rid, timestamp (s; older files
 * created_time), input_length, output_length, ...}`. When the record carries `input_ids` (the
 * prompt's token ids, as HiSim's collector writes them), 16-token blocks are hashed from them, so
 * real prefix reuse is kept; otherwise every block is unique.
 */
import type { TraceTableBuilder } from "../../sim/workload/trace-table-builder.js";
import { lineError, numberField, parseJsonRecord, tokensField, type FormatParser } from "./record.js";

const BLOCK = 16;

export function hisimParser(file: string): FormatParser {
  return {
    format: "hisim",
    blockSize: BLOCK,
    skipped: 0,
    line(text: string, lineNo: number, out: TraceTableBuilder): boolean {
      const o = parseJsonRecord(text, file, lineNo);
      const tsName = o.timestamp !== undefined ? "timestamp" : "created_time";
      const s = numberField(o[tsName], tsName, file, lineNo);
      const ids = o.input_ids;
      if (ids !== undefined && !Array.isArray(ids)) throw lineError(file, lineNo, 'expected "input_ids" to be an array of token ids');
      const input = o.input_length !== undefined || !ids
        ? tokensField(o.input_length, "input_length", file, lineNo)
        : tokensField(ids.length, "input_ids (length)", file, lineNo);
      out.begin(s * 1e6, input, tokensField(o.output_length, "output_length", file, lineNo));
      if (ids) {
        for (let b = 0; b * BLOCK < ids.length; b++) out.pushRawHash(blockHash(ids, b * BLOCK, Math.min(ids.length, b * BLOCK + BLOCK), file, lineNo));
      }
      out.end();
      return true;
    },
  };
}

/** 52-bit hash of token ids [from, to) (two 32-bit multiplicative hashes). */
function blockHash(ids: unknown[], from: number, to: number, file: string, lineNo: number): number {
  let a = 0x811c9dc5 ^ (to - from);
  let b = 0x9747b28c;
  for (let k = from; k < to; k++) {
    const v = ids[k];
    if (typeof v !== "number" || !Number.isInteger(v)) throw lineError(file, lineNo, `expected "input_ids" to hold integers, got ${JSON.stringify(v)} at index ${k}`);
    a = Math.imul(a ^ v, 0x01000193);
    a ^= a >>> 15;
    b = Math.imul(b ^ v, 0x5bd1e995);
    b ^= b >>> 13;
  }
  return (a >>> 0) * 1048576 + (b & 0xfffff);
}
