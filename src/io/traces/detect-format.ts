/** Trace format auto-detection from the file extension and the first record (or CSV header). */
import { extname } from "node:path";
import { splitCsvLine } from "../csv-line.js";
import { normalizeHeader } from "./csv.js";
import { lineError, type TraceFormat } from "./record.js";

const JSON_EXTS = new Set([".jsonl", ".json", ".ndjson"]);

/**
 * The format of a trace whose first non-empty line is `firstLine`.
 * JSONL: `chat_id`/`parent_chat_id` => bailian; `rid`/`input_ids`/`created_time` => hisim;
 * `hash_ids` => mooncake. CSV header: TIMESTAMP + ContextTokens => azure; arrived_at => vidur;
 * Request tokens + Response tokens => burstgpt. Other extensions: JSON if the line starts with `{`.
 * @throws InputError when the line fits no format (ambiguous JSONL included: timestamps without
 * hash_ids could be Mooncake milliseconds or HiSim seconds)
 */
export function detectTraceFormat(file: string, firstLine: string, lineNo: number): TraceFormat {
  const ext = extname(file).toLowerCase();
  const looksJson = JSON_EXTS.has(ext) || (ext !== ".csv" && firstLine.trimStart().startsWith("{"));
  const hint = "; pass --format (mooncake, bailian, azure, hisim, vidur, burstgpt)";
  if (looksJson) {
    let o: unknown;
    try {
      o = JSON.parse(firstLine);
    } catch {
      throw lineError(file, lineNo, `cannot detect the trace format: expected a JSON object per line (JSONL)${hint}`);
    }
    if (typeof o !== "object" || o === null || Array.isArray(o)) {
      throw lineError(file, lineNo, `cannot detect the trace format: expected a JSON object per line (JSONL)${hint}`);
    }
    const r = o as Record<string, unknown>;
    if ("chat_id" in r || "parent_chat_id" in r) return "bailian";
    if ("rid" in r || "input_ids" in r || "created_time" in r) return "hisim";
    if ("hash_ids" in r) return "mooncake";
    throw lineError(file, lineNo, `cannot detect the trace format from the fields ${Object.keys(r).join(", ")}: expected hash_ids (mooncake), chat_id (bailian) or rid (hisim)${hint}`);
  }
  const cols = new Set(splitCsvLine(firstLine).map(normalizeHeader));
  if (cols.has("timestamp") && cols.has("contexttokens")) return "azure";
  if (cols.has("arrivedat")) return "vidur";
  if (cols.has("requesttokens") && cols.has("responsetokens")) return "burstgpt";
  throw lineError(
    file, lineNo,
    `cannot detect the trace format from the header "${firstLine.slice(0, 80)}": expected TIMESTAMP,ContextTokens,GeneratedTokens (azure), arrived_at,num_prefill_tokens,num_decode_tokens (vidur) or Timestamp,...,Request tokens,Response tokens (burstgpt)${hint}`,
  );
}
