/**
 * BurstGPT CSV (HPMLL/BurstGPT): `Timestamp` (s), `Model`, `Request tokens`, `Response tokens`,
 * `Total tokens`, `Log Type`, and in later releases `Session ID`. Rows with 0 response tokens
 * are failed requests (and 0 request tokens cannot be served): they are skipped and counted. No
 * hashes; `Session ID`, when present, becomes the session id.
 */
import { PairInterner } from "../../sim/workload/pair-interner.js";
import type { TraceTableBuilder } from "../../sim/workload/trace-table-builder.js";
import { splitCsvLine } from "../csv-line.js";
import { headerColumns } from "./csv.js";
import { keyOf, numberField, tokensField, type FormatParser } from "./record.js";

export function burstgptParser(file: string): FormatParser {
  let cols: { required: number[]; optional: number[] } | undefined;
  const sessions = new PairInterner(1024);
  const parser = {
    format: "burstgpt" as const,
    blockSize: 16,
    skipped: 0,
    line(text: string, lineNo: number, out: TraceTableBuilder): boolean {
      if (!cols) {
        cols = headerColumns(text, ["Timestamp", "Request tokens", "Response tokens"], ["Session ID"], file, lineNo, "BurstGPT");
        return false;
      }
      const f = splitCsvLine(text);
      const [ct, ci, co] = cols.required;
      const s = numberField(f[ct], "Timestamp", file, lineNo);
      const reqTok = numberField(f[ci], "Request tokens", file, lineNo);
      const respTok = numberField(f[co], "Response tokens", file, lineNo);
      if (respTok === 0 || reqTok === 0) {
        parser.skipped++;
        return false;
      }
      const sCol = cols.optional[0];
      const sRaw = sCol >= 0 ? (f[sCol] ?? "").trim() : "";
      let session = -1;
      if (sRaw !== "") {
        session = sessions.intern(0, keyOf(Number.isSafeInteger(Number(sRaw)) ? Number(sRaw) : sRaw));
      }
      out.begin(s * 1e6, tokensField(f[ci], "Request tokens", file, lineNo), tokensField(f[co], "Response tokens", file, lineNo), session);
      out.end();
      return true;
    },
  };
  return parser;
}
