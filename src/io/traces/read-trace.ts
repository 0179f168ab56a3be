/**
 * Reading a request trace of any supported format into a `RequestTable`, streamed: lines are read
 * in 1 MiB chunks, each record is parsed and appended to typed arrays, and no per-request object
 * outlives its line. Arrival times are made relative to the first request; a file that is not in
 * time order is sorted (stably: equal times keep file order).
 */
import { existsSync, statSync } from "node:fs";
import { InputError } from "../../errors.js";
import type { RequestTable } from "../../sim/workload/request-table.js";
import { TraceTableBuilder } from "../../sim/workload/trace-table-builder.js";
import { azureParser } from "./azure.js";
import { bailianParser } from "./bailian.js";
import { burstgptParser } from "./burstgpt.js";
import { detectTraceFormat } from "./detect-format.js";
import { hisimParser } from "./hisim.js";
import { forEachLine } from "./line-reader.js";
import { mooncakeParser } from "./mooncake.js";
import type { FormatParser, TraceFormat } from "./record.js";
import { vidurParser } from "./vidur.js";

export interface ReadTraceOptions {
  /** Format, or "auto" (default) to detect it from the extension and first record. */
  format?: TraceFormat | "auto";
  /** Arrival times are multiplied by this (0.5 = twice as fast). Default 1. */
  timeScale?: number;
  /** Keep only the first `limit` requests of the file (in file order); 0 = all. */
  limit?: number;
}

export interface TraceReadResult {
  table: RequestTable;
  format: TraceFormat;
  /** Records skipped as failed requests (BurstGPT rows with zero tokens). */
  skipped: number;
}

const PARSERS: Record<TraceFormat, (file: string) => FormatParser> = {
  mooncake: mooncakeParser,
  bailian: bailianParser,
  azure: azureParser,
  hisim: hisimParser,
  vidur: vidurParser,
  burstgpt: burstgptParser,
};

/**
 * Reads the trace at `path`.
 * @throws InputError for a missing file, an undetectable format, a malformed record (naming the
 * line and what was expected) or a trace without requests
 */
export async function readTrace(path: string, opts: ReadTraceOptions = {}): Promise<TraceReadResult> {
  if (!existsSync(path)) throw new InputError({ file: path, message: "trace file does not exist" });
  if (statSync(path).isDirectory()) throw new InputError({ file: path, message: "expected a trace file, found a directory" });
  const limit = opts.limit ?? 0;
  const sizeHint = Math.min(1 << 20, Math.max(1024, Math.floor(statSync(path).size / 200)));
  let parser: FormatParser | undefined;
  let builder: TraceTableBuilder | undefined;
  await forEachLine(path, (line, lineNo) => {
    if (line.trim() === "") return;
    if (!parser) {
      const format = !opts.format || opts.format === "auto" ? detectTraceFormat(path, line, lineNo) : opts.format;
      parser = PARSERS[format](path);
      builder = new TraceTableBuilder(parser.blockSize, sizeHint);
    }
    parser.line(line, lineNo, builder!);
    if (limit > 0 && builder!.count >= limit) return false;
  });
  if (!parser || !builder || builder.count === 0) {
    const why = parser && parser.skipped > 0 ? ` (all ${parser.skipped} records are failed requests)` : "";
    throw new InputError({ file: path, message: `expected at least one request, found none${why}` });
  }
  const table = builder.finish(opts.timeScale ?? 1);
  // Arrivals are relative to the first one; a span of more than 1e9 s (31 years) is a unit mistake
  // or a corrupt timestamp, and past ~1e308 µs it is not even a finite time.
  const spanUs = table.count > 0 ? table.arrivalUs[table.count - 1] : 0;
  if (!(spanUs <= MAX_SPAN_US)) {
    throw new InputError({
      file: path,
      message: `the trace's arrivals span ${Number.isFinite(spanUs) ? `${(spanUs / 1e6).toExponential(2)} s` : "more than any finite time"} (timeScale ${opts.timeScale ?? 1}); ` +
        "expected at most 1e9 s (31 years): are the timestamps in the format's unit?",
    });
  }
  return { table, format: parser.format, skipped: parser.skipped };
}

/** Longest span of a trace's arrivals, µs (1e9 s). */
const MAX_SPAN_US = 1e15;
