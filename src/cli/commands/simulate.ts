import { dirname } from "node:path";
import { performance } from "node:perf_hooks";
import { resolvePrices } from "../../catalog/prices.js";
import { InputError, RuntimeFailure } from "../../errors.js";
import { loadDeployment, loadWorkload } from "../../inputs/load.js";
import { contextIssues } from "../../inputs/workload-limits.js";
import { writeJsonAtomic } from "../../io/atomic-write.js";
import { buildRequestTable } from "../../io/load-workload.js";
import { checkOutFile } from "../../io/out-path.js";
import { newTable } from "../../report/table.js";
import { prepareDeployment, runSimulation } from "../../runner/prepare.js";
import { unservableRequests } from "../../runner/servable.js";
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
  const out = opts.out !== undefined ? checkOutFile(opts.out) : undefined;
  const d = loadDeployment(opts.deployment);
  const w = loadWorkload(opts.workload);
  const prices = resolvePrices(opts.prices);
  const dep = prepareDeployment(d, opts.deployment, { prices });
  const ctx = contextIssues(w, dep.model, opts.workload);
  if (ctx.length > 0) throw new InputError(ctx);
  const table = await buildRequestTable(w, dirname(opts.workload), opts.seed, {
    contextLengthTokens: dep.model.contextLengthTokens, modelId: dep.model.id, file: opts.workload,
  });
  const never = unservableRequests(dep, table);
  if (never) {
    const n = (x: number) => x.toLocaleString("en-US");
    const i = never.longest;
    throw new InputError({
      file: opts.deployment,
      message: `${n(never.count)} of ${n(table.count)} requests of ${opts.workload} can never be served: each needs more KV than one replica's GPU pool ` +
        `holds (${n(never.poolTokens)} tokens; the longest needs ${n(table.inputTokens[i])} + ${n(table.outputTokens[i])}); ` +
        `expected a larger GPU or tp, a higher memFractionStatic, fp8 KV (kvDtype), or shorter requests`,
    });
  }
  const t0 = performance.now();
  const res = runSimulation(dep, table, opts.seed);
  // The price list that the cost figures use is named in the output.
  const summary: SimulationSummary & { prices: string } = { ...res.summary, wallS: Math.round(performance.now() - t0) / 1000, prices: prices.name };
  if (summary.completed < summary.requests) {
    // Unreachable after the checks above unless the simulator has a bug: never print percentiles
    // over the requests that happened to finish as if the run had succeeded.
    throw new RuntimeFailure(`${summary.requests - summary.completed} of ${summary.requests} requests could not be served (${summary.rejected} rejected); no result written`);
  }
  if (out) writeJsonAtomic(out, summary);
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
