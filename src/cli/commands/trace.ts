/** `trace stats` and `trace hit-curve`: read a trace, summarize it or compute its hit-rate curve. */
import { UsageError } from "../../errors.js";
import { readTrace } from "../../io/traces/read-trace.js";
import type { TraceFormat } from "../../io/traces/record.js";
import { newTable } from "../../report/table.js";
import { hitCurve, type HitCurvePolicy } from "../../sim/cache/hit-curve.js";
import { reblockTable } from "../../sim/workload/reblock.js";
import { traceStats, type LengthSummary } from "../../sim/workload/trace-stats.js";
import type { CliIo } from "../io.js";

interface TraceOpts {
  format?: TraceFormat | "auto";
  json?: boolean;
}

export async function traceStatsCommand(file: string, opts: TraceOpts, io: CliIo): Promise<void> {
  const r = await readTrace(file, { format: opts.format ?? "auto" });
  const s = traceStats(r.table);
  if (opts.json) {
    io.out(`${JSON.stringify({ file, format: r.format, ...s, skippedRecords: r.skipped }, null, 2)}\n`);
    return;
  }
  io.out(`${file}: ${r.format} trace, ${s.blockSize}-token blocks\n`);
  const t = newTable(["", "value"], ["left", "right"]);
  t.push(
    ["requests", s.requests.toLocaleString("en-US")],
    ["span", `${s.spanS.toFixed(1)} s`],
    ["rate", s.rateRps === null ? "-" : `${s.rateRps.toFixed(2)} req/s`],
    ["blocks", s.blocks.toLocaleString("en-US")],
    ["unique blocks", `${s.uniqueBlocks.toLocaleString("en-US")} (${fmtTokens(s.uniqueBlocks * s.blockSize)} tokens)`],
    ["prefix hit rate, unbounded (tokens)", s.prefixHitRate.token.toFixed(3)],
    ["prefix hit rate, unbounded (blocks)", s.prefixHitRate.block.toFixed(3)],
    ["sessions", s.sessions === null ? "unknown" : s.sessions.toLocaleString("en-US")],
  );
  if (r.skipped > 0) t.push(["skipped (failed) records", r.skipped.toLocaleString("en-US")]);
  io.out(`${t.toString()}\n`);
  const lt = newTable(["tokens", "p50", "p90", "p99", "mean", "max"], ["left", "right", "right", "right", "right", "right"]);
  const row = (name: string, l: LengthSummary): string[] => [name, ...[l.p50, l.p90, l.p99, l.mean, l.max].map((v) => v.toFixed(0))];
  lt.push(row("input", s.inputTokens), row("output", s.outputTokens));
  io.out(`${lt.toString()}\n`);
}

interface HitCurveOpts extends TraceOpts {
  capacities: number[];
  blockSize?: number;
  policy?: HitCurvePolicy;
}

export async function traceHitCurveCommand(file: string, opts: HitCurveOpts, io: CliIo): Promise<void> {
  const r = await readTrace(file, { format: opts.format ?? "auto" });
  let table = r.table;
  const B = table.blockSize;
  if (opts.blockSize !== undefined && opts.blockSize !== B) {
    if (opts.blockSize < B || opts.blockSize % B !== 0) {
      throw new UsageError(
        `--block-size ${opts.blockSize}: ${file} is hashed in ${B}-token blocks; expected a multiple of ${B} ` +
          "(finer blocks cannot be derived from block hashes)",
      );
    }
    table = reblockTable(table, opts.blockSize);
  }
  const curve = hitCurve(table, opts.capacities, opts.policy ?? "lru");
  if (opts.json) {
    io.out(`${JSON.stringify(curve, null, 2)}\n`);
    return;
  }
  io.out(`${file}: ${r.format} trace, ${curve.blockSize}-token blocks, ${opts.policy ?? "lru"} eviction\n`);
  const t = newTable(["capacity (tokens)", "blocks", "token hit rate", "block hit rate"], ["right", "right", "right", "right"]);
  for (const p of curve.points) {
    t.push([
      p.capacityTokens === 0 ? "unbounded" : p.capacityTokens.toLocaleString("en-US"),
      p.capacityTokens === 0 ? "-" : Math.floor(p.capacityTokens / curve.blockSize).toLocaleString("en-US"),
      p.tokenHitRate.toFixed(3),
      p.blockHitRate.toFixed(3),
    ]);
  }
  io.out(`${t.toString()}\n`);
}

function fmtTokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}K` : String(n);
}
