/**
 * One search trial: a full simulation of one deployment on a window of the workload at a given
 * load, judged against the SLO targets. Tasks and results are plain data (they cross threads and
 * are logged to trials.jsonl); a worker runs them with the workload table it received once.
 */
import type { Deployment } from "../config/types.js";
import { LATENCY_CDF_PROBS, type LatencyCdf, type PointLatency, type SloTargets } from "../results/point.js";
import { latencyAt } from "../sim/cluster/summary.js";
import type { PriceTable } from "../sim/deployment/cost.js";
import type { ResolvedDeployment } from "../sim/deployment/resolve.js";
import type { StepEstimator } from "../sim/estimator/types.js";
import { quantileSorted } from "../sim/metrics/quantile.js";
import type { RequestTable } from "../sim/workload/request-table.js";
import { scaleArrivals } from "../sim/workload/scale-arrivals.js";
import { InvariantError } from "../errors.js";
import { estimatorFor, prepareDeployment, runSimulation } from "./prepare.js";
import { samplesIn, targetMetrics, VerdictWatch, type TargetMetric } from "./verdict.js";

export interface TrialTask {
  /** Stable id: a hash of everything below. */
  id: string;
  deployment: Deployment;
  /**
   * Offered request rate of the simulated window, req/s: the window's own arrivals are rescaled so
   * that its offered rate (`offeredRate`) is exactly this.
   */
  rateRps: number;
  /** First N requests of the workload (0 = all). */
  requestLimit: number;
  /** Seed of the workload table (synthetic workloads are generated per seed) and of the run's own streams. */
  seed: number;
  targets: SloTargets;
  /** Stop as soon as a target is certainly missed (the result then says `earlyStopped`). */
  earlyStop?: boolean;
  /** The run's price list (costs in the result use it). */
  prices: PriceTable;
}

export interface TrialResult {
  id: string;
  /** False when the model does not fit the GPU (nothing was simulated). */
  fits: boolean;
  requests: number;
  completed: number;
  rejected: number;
  /** Request rate offered to the deployment (open-loop arrivals), req/s. */
  offeredRps: number;
  throughputRps: number;
  outputTokensPerS: number;
  simulatedS: number;
  /** Mean fraction of the run the replicas were busy (0 when nothing ran). */
  busyFraction?: number;
  /**
   * The SLO percentiles. After an early stop they are lower bounds (the full run's percentiles are
   * at least these), and the throughput figures cover only the part that ran.
   */
  latency: PointLatency;
  prefixHitRate: number;
  costUsdPerHour: number;
  usdPerMillionTokens: number;
  sloMet: boolean;
  /** Requests each target's percentile is taken over (the window's, whether or not it stopped early). */
  samples?: Partial<Record<TargetMetric, number>>;
  /** The run stopped once a target was certainly missed (latency = lower bounds). */
  earlyStopped?: boolean;
  /** Not simulated: the run's `--max-runs` cap was reached. */
  capped?: boolean;
  note?: string;
  cdf?: LatencyCdf;
}

/** The first `limit` requests of a table, sharing its arrays (dependents always follow their predecessor). */
export function windowOf(t: RequestTable, limit: number): RequestTable {
  if (limit <= 0 || limit >= t.count) return t;
  return {
    ...t,
    count: limit,
    arrivalUs: t.arrivalUs.subarray(0, limit),
    after: t.after.subarray(0, limit),
    afterDelayUs: t.afterDelayUs.subarray(0, limit),
    inputTokens: t.inputTokens.subarray(0, limit),
    outputTokens: t.outputTokens.subarray(0, limit),
    hashStart: t.hashStart.subarray(0, limit + 1),
    sessionId: t.sessionId.subarray(0, limit),
  };
}

/** Requests per second of a table's open-loop arrivals (released requests count too). */
export function offeredRate(t: RequestTable): number {
  let first = Infinity;
  let last = 0;
  for (let i = 0; i < t.count; i++) {
    if (t.after[i] >= 0) continue;
    const a = t.arrivalUs[i];
    if (a < first) first = a;
    if (a > last) last = a;
  }
  const spanS = (last - first) / 1e6;
  return spanS > 0 ? t.count / spanS : Infinity;
}

/** Workload tables by seed: a synthetic workload has one per seed, a trace one for every seed. */
export interface SeedTables {
  /** Each table with the seeds it serves. */
  tables: { seeds: number[]; table: RequestTable }[];
}

/** Worker state: the workload tables and the estimators built so far (one per deployment shape). */
export interface TrialState {
  tables: Map<number, RequestTable>;
  estimators: Map<string, StepEstimator>;
}

export function initTrialState(shared: SeedTables): TrialState {
  const tables = new Map<number, RequestTable>();
  for (const t of shared.tables) for (const s of t.seeds) tables.set(s, t.table);
  return { tables, estimators: new Map() };
}

function shapeKey(dep: ResolvedDeployment): string {
  const d = dep.deployment;
  return `${dep.model.id}|${dep.gpu.id}|${d.tp}|${d.weights}|${d.kvDtype}|${dep.engine.kind}`;
}

const r4 = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x);

const METRIC_LABEL: Record<TargetMetric, string> = { ttftMs: "TTFT", tpotMs: "TPOT", e2eMs: "E2E" };

/**
 * Judges latencies against the targets; returns why it misses, or undefined when it meets them.
 * `atLeast` marks the latencies as lower bounds (an early-stopped run).
 */
export function missReason(lat: PointLatency, t: SloTargets, rejected: number, completed: number, requests: number, atLeast = false): string | undefined {
  if (rejected > 0) return `${rejected} requests longer than the KV pool were rejected`;
  if (!atLeast && completed < requests) return `${requests - completed} requests did not complete`;
  const parts: string[] = [];
  const rel = atLeast ? ">=" : "";
  for (const m of targetMetrics(t)) {
    const v = lat[m];
    const target = t[m]!;
    if (v !== undefined && v > target.max) {
      parts.push(`p${target.percentile} ${METRIC_LABEL[m]} ${rel}${v.toFixed(m === "tpotMs" ? 1 : 0)} ms > ${target.max} ms`);
    }
  }
  return parts.length > 0 ? parts.join("; ") : undefined;
}

/** The table a trial runs on: the seed's workload, its first `requestLimit` requests, at `rateRps`. */
export function trialTable(task: Pick<TrialTask, "seed" | "requestLimit" | "rateRps">, tables: Map<number, RequestTable>): RequestTable {
  const full = tables.get(task.seed);
  if (!full) throw new InvariantError(`no workload table for seed ${task.seed}`);
  const window = windowOf(full, task.requestLimit);
  const natural = offeredRate(window);
  return Number.isFinite(natural) && natural !== task.rateRps ? scaleArrivals(window, task.rateRps / natural) : window;
}

/** Runs one trial. Deterministic: the result depends only on the task and the workload. */
export function runTrial(task: TrialTask, state: TrialState): TrialResult {
  const dep = prepareDeployment(task.deployment, undefined, { allowNoFit: true, prices: task.prices });
  const base = {
    id: task.id, requests: 0, completed: 0, rejected: 0, offeredRps: 0, throughputRps: 0, outputTokensPerS: 0, simulatedS: 0,
    latency: { ttftMs: Infinity, tpotMs: Infinity }, prefixHitRate: 0, costUsdPerHour: r4(dep.costUsdPerHour), usdPerMillionTokens: Infinity,
  };
  if (!dep.memory.fits) return { ...base, fits: false, sloMet: false, note: dep.memory.reason };
  const table = trialTable(task, state.tables);
  const key = shapeKey(dep);
  let est = state.estimators.get(key);
  if (!est) state.estimators.set(key, (est = estimatorFor(dep)));
  const t = task.targets;
  const watch = task.earlyStop ? new VerdictWatch(table, t) : undefined;
  const res = runSimulation(dep, table, task.seed, { estimator: est, watch });
  const s = res.summary;
  const metrics = targetMetrics(t);
  const samples = samplesIn(table, table.count, metrics);
  const counts: Partial<Record<TargetMetric, number>> = {};
  for (const m of metrics) counts[m] = samples[m];
  const common = {
    ...base,
    fits: true,
    requests: s.requests,
    completed: s.completed,
    rejected: s.rejected,
    offeredRps: r4(offeredRate(table)),
    throughputRps: s.throughputRps,
    outputTokensPerS: s.outputTokensPerS,
    simulatedS: s.simulatedS,
    busyFraction: r4(s.perReplica.reduce((a, x) => a + x.busyFraction, 0) / Math.max(1, s.perReplica.length)),
    prefixHitRate: s.prefixHitRate.total,
    usdPerMillionTokens: s.usdPerMillionTokens,
    samples: counts,
  };
  if (res.stoppedEarly && watch) {
    const lb = watch.lowerBounds();
    const latency: PointLatency = { ttftMs: r4(lb.ttftMs), tpotMs: r4(lb.tpotMs) };
    if (t.e2eMs) latency.e2eMs = r4(lb.e2eMs);
    const why = missReason(latency, t, s.rejected, s.completed, s.requests, true) ?? `p${t[watch.stoppedBy as TargetMetric]?.percentile} ${watch.stoppedBy} over its target`;
    return { ...common, latency, sloMet: false, earlyStopped: true, note: `${why} (stopped early: the miss was certain)` };
  }
  // The verdict uses the exact percentiles (the early-stop watch reasons on them); reports round.
  const exact: PointLatency = {
    ttftMs: latencyAt(res.samples.ttftMs, t.ttftMs.percentile),
    tpotMs: res.samples.tpotMs.length > 0 ? latencyAt(res.samples.tpotMs, t.tpotMs.percentile) : 0,
  };
  if (t.e2eMs) exact.e2eMs = latencyAt(res.samples.e2eMs, t.e2eMs.percentile);
  const note = missReason(exact, t, s.rejected, s.completed, s.requests);
  const latency: PointLatency = { ttftMs: r4(exact.ttftMs), tpotMs: r4(exact.tpotMs) };
  if (exact.e2eMs !== undefined) latency.e2eMs = r4(exact.e2eMs);
  const cdf: LatencyCdf = {
    ttftMs: LATENCY_CDF_PROBS.map((p) => r4(quantileSorted(res.samples.ttftMs, p))),
    tpotMs: LATENCY_CDF_PROBS.map((p) => r4(res.samples.tpotMs.length > 0 ? quantileSorted(res.samples.tpotMs, p) : 0)),
  };
  return { ...common, latency, sloMet: note === undefined, ...(note ? { note } : {}), cdf };
}

/** JSON turns Infinity into null; trial results read back from trials.jsonl get it back. */
export function reviveInfinity(r: TrialResult): TrialResult {
  const lat = r.latency as { ttftMs: number | null; tpotMs: number | null; e2eMs?: number | null };
  return {
    ...r,
    latency: { ttftMs: lat.ttftMs ?? Infinity, tpotMs: lat.tpotMs ?? Infinity, ...(lat.e2eMs !== undefined ? { e2eMs: lat.e2eMs ?? Infinity } : {}) },
    usdPerMillionTokens: r.usdPerMillionTokens ?? Infinity,
  };
}
