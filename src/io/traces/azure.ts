/**
 * Azure LLM inference trace CSV (Azure/AzurePublicDataset, 2023 and 2024 releases):
 * `TIMESTAMP,ContextTokens,GeneratedTokens`, TIMESTAMP a datetime such as
 * `2023-11-16 18:15:46.6805900` (read as UTC; only offsets from the first request matter). No hashes.
 */
import type { TraceTableBuilder } from "../../sim/workload/trace-table-builder.js";
import { splitCsvLine } from "../csv-line.js";
import { headerColumns } from "./csv.js";
import { lineError, tokensField, type FormatParser } from "./record.js";

const DATETIME = /^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?/;

/** Microseconds since the epoch of an Azure TIMESTAMP, NaN when it is not one. */
export function parseAzureTimestampUs(s: string): number {
  const m = DATETIME.exec(s);
  if (!m) return Number.NaN;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const frac = m[7] ? Number(`0.${m[7]}`) * 1e6 : 0;
  return ms * 1e3 + frac;
}

export function azureParser(file: string): FormatParser {
  let cols: number[] | undefined;
  return {
    format: "azure",
    blockSize: 16,
    skipped: 0,
    line(text: string, lineNo: number, out: TraceTableBuilder): boolean {
      if (!cols) {
        cols = headerColumns(text, ["TIMESTAMP", "ContextTokens", "GeneratedTokens"], [], file, lineNo, "Azure").required;
        return false;
      }
      const f = splitCsvLine(text);
      const us = parseAzureTimestampUs(f[cols[0]] ?? "");
      if (!Number.isFinite(us)) throw lineError(file, lineNo, `expected TIMESTAMP to be a datetime like 2023-11-16 18:15:46.6805900, got "${f[cols[0]] ?? ""}"`);
      out.begin(us, tokensField(f[cols[1]], "ContextTokens", file, lineNo), tokensField(f[cols[2]], "GeneratedTokens", file, lineNo));
      out.end();
      return true;
    },
  };
}
