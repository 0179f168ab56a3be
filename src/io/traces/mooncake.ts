/**
 * Mooncake JSONL (kvcache-ai/Mooncake FAST25 traces): `{timestamp (ms), input_length,
 * output_length, hash_ids}`, hash_ids = prefix block hashes of 512-token blocks.
 */
import type { TraceTableBuilder } from "../../sim/workload/trace-table-builder.js";
import { numberField, parseJsonRecord, pushHashIds, tokensField, type FormatParser } from "./record.js";

export function mooncakeParser(file: string): FormatParser {
  return {
    format: "mooncake",
    blockSize: 512,
    skipped: 0,
    line(text: string, lineNo: number, out: TraceTableBuilder): boolean {
      const o = parseJsonRecord(text, file, lineNo);
      const ms = numberField(o.timestamp, "timestamp", file, lineNo);
      out.begin(ms * 1e3, tokensField(o.input_length, "input_length", file, lineNo), tokensField(o.output_length, "output_length", file, lineNo));
      pushHashIds(o.hash_ids, file, lineNo, out);
      out.end();
      return true;
    },
  };
}
