import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import { resolvePrices } from "../../catalog/prices.js";
import { loadDeployment, loadWorkload } from "../../inputs/load.js";
import { writeJsonAtomic } from "../../io/atomic-write.js";
import { buildRequestTable } from "../../io/load-workload.js";
import { newTable } from "../../report/table.js";
import { prepareDeployment, runSimulation } from "../../runner/prepare.js";
import type { SimulationSummary } from "../../sim/cluster/summary.js";
import type { CliIo } from "../io.js";

interface SimulateOptions {
  deployment: string;
  workload: string;
  seed: number;
  json?: boolean;
  out?: string;
  prices?: string;
}

/** `hisim-tune simulate`: one deployment on one workload. */
export async function simulateCommand(opts: SimulateOptions, io: CliIo): Promise<void> {
  const d = loadDeployment(opts.deployment);
  const w = loadWorkload(opts.workload);
  const prices = resolvePrices(opts.prices);
  const dep = prepareDeployment(d, opts.deployment, { prices });
  const table = await buildRequestTable(w, dirname(opts.workload), opts.seed);
  const t0 = performance.now();
  const res = runSimulation(dep, table, opts.seed);
  // The price list that the cost figures use is named in the output.
  const summary: SimulationSummary & { prices: string } = { ...res.summary, wallS: Math.round(performance.now() - t0) / 1000, prices: prices.name };
  if (opts.out) writeJsonAtomic(opts.out, summary);
  if (opts.json) {
    io.out(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  io.out(formatSummary(summary, `${d.model} on ${d.replicas}x ${d.gpu} tp${d.tp} (${dep.engine.kind})`, prices.name));
}

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : "-");

/** Human-readable summary of a simulation. */
export function formatSummary(s: SimulationSummary, title: string, pricesName: string): string {
  const lat = newTable(["latency (ms)", "mean", "p50", "p90", "p99"]);
  for (const [name, v] of [["TTFT", s.ttftMs], ["TPOT", s.tpotMs], ["ITL", s.itlMs], ["E2E", s.e2eMs]] as const) {
    lat.push([name, f(v.mean), f(v.p50), f(v.p90), f(v.p99)]);
  }
  const thr = newTable(["metric", "value"]);
  thr.push(
    ["requests completed", `${s.completed} / ${s.requests}${s.rejected ? ` (${s.rejected} rejected: longer than the KV pool)` : ""}`],
    ["simulated time", `${f(s.simulatedS)} s (wall ${s.wallS.toFixed(2)} s, ${f(s.simulatedS / Math.max(s.wallS, 1e-9), 0)}x real time)`],
    ["throughput", `${f(s.throughputRps, 2)} req/s, ${f(s.outputTokensPerS, 0)} output tok/s, ${f(s.inputTokensPerS, 0)} input tok/s`],
    ["prefix hit rate", `${f(s.prefixHitRate.total * 100)}% (L1 ${f(s.prefixHitRate.l1 * 100)}%, L2 ${f(s.prefixHitRate.l2 * 100)}%, L3 ${f(s.prefixHitRate.l3 * 100)}%)`],
    ["KV I/O (GB)", `L2->L1 ${f(s.ioGb.l2ToL1, 2)}, L1->L2 ${f(s.ioGb.l1ToL2, 2)}, L3->L2 ${f(s.ioGb.l3ToL2, 2)}, L2->L3 ${f(s.ioGb.l2ToL3, 2)}`],
    ["evictions (blocks)", `L1 ${s.evictions.l1}, L2 ${s.evictions.l2}, L3 ${s.evictions.l3}`],
    ["cost", `$${f(s.costUsdPerHour, 2)}/h, $${f(s.usdPerMillionTokens, 3)} per 1M output tokens (prices: ${pricesName})`],
  );
  let text = `${title}\n${lat.toString()}\n${thr.toString()}\n`;
  if (s.perReplica.length > 1) {
    const rep = newTable(["replica", "completed", "prefix hit", "busy"]);
    s.perReplica.forEach((r, i) => rep.push([i, r.completed, `${f(r.prefixHitRate * 100)}%`, `${f(r.busyFraction * 100)}%`]));
    text += `${rep.toString()}\n`;
  }
  return text;
}
