/** Vidur trace CSV (microsoft/vidur): `arrived_at` (s), `num_prefill_tokens`, `num_decode_tokens`. No hashes. */
import type { TraceTableBuilder } from "../../sim/workload/trace-table-builder.js";
import { splitCsvLine } from "../csv-line.js";
import { headerColumns } from "./csv.js";
import { numberField, tokensField, type FormatParser } from "./record.js";

export function vidurParser(file: string): FormatParser {
  let cols: number[] | undefined;
  return {
    format: "vidur",
    blockSize: 16,
    skipped: 0,
    line(text: string, lineNo: number, out: TraceTableBuilder): boolean {
      if (!cols) {
        cols = headerColumns(text, ["arrived_at", "num_prefill_tokens", "num_decode_tokens"], [], file, lineNo, "Vidur").required;
        return false;
      }
      const f = splitCsvLine(text);
      const s = numberField(f[cols[0]], "arrived_at", file, lineNo);
      out.begin(s * 1e6, tokensField(f[cols[1]], "num_prefill_tokens", file, lineNo), tokensField(f[cols[2]], "num_decode_tokens", file, lineNo));
      out.end();
      return true;
    },
  };
}
