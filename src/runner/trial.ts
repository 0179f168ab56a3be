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
import { estimatorFor, prepareDeployment, runSimulation } from "./prepare.js";

export interface TrialTask {
  /** Stable id: a hash of everything below. */
  id: string;
  deployment: Deployment;
  /** Arrival-rate multiplier applied to the workload window (1 = as specified). */
  rateFactor: number;
  /** First N requests of the workload (0 = all). */
  requestLimit: number;
  seed: number;
  targets: SloTargets;
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
  latency: PointLatency;
  prefixHitRate: number;
  costUsdPerHour: number;
  usdPerMillionTokens: number;
  sloMet: boolean;
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

/** Worker state: the workload and the estimators built so far (one per deployment shape). */
export interface TrialState {
  table: RequestTable;
  estimators: Map<string, StepEstimator>;
}

export function initTrialState(shared: { table: RequestTable }): TrialState {
  return { table: shared.table, estimators: new Map() };
}

function shapeKey(dep: ResolvedDeployment): string {
  const d = dep.deployment;
  return `${dep.model.id}|${dep.gpu.id}|${d.tp}|${d.weights}|${d.kvDtype}|${dep.engine.kind}`;
}

const r4 = (x: number): number => (Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x);

/** Judges latencies against the targets; returns why it misses, or undefined when it meets them. */
export function missReason(lat: PointLatency, t: SloTargets, rejected: number, completed: number, requests: number): string | undefined {
  if (rejected > 0) return `${rejected} requests longer than the KV pool were rejected`;
  if (completed < requests) return `${requests - completed} requests did not complete`;
  const parts: string[] = [];
  if (lat.ttftMs > t.ttftMs.max) parts.push(`p${t.ttftMs.percentile} TTFT ${lat.ttftMs.toFixed(0)} ms > ${t.ttftMs.max} ms`);
  if (lat.tpotMs > t.tpotMs.max) parts.push(`p${t.tpotMs.percentile} TPOT ${lat.tpotMs.toFixed(1)} ms > ${t.tpotMs.max} ms`);
  if (t.e2eMs && lat.e2eMs !== undefined && lat.e2eMs > t.e2eMs.max) parts.push(`p${t.e2eMs.percentile} E2E ${lat.e2eMs.toFixed(0)} ms > ${t.e2eMs.max} ms`);
  return parts.length > 0 ? parts.join("; ") : undefined;
}

/** Runs one trial. Deterministic: the result depends only on the task and the workload. */
export function runTrial(task: TrialTask, state: TrialState): TrialResult {
  const dep = prepareDeployment(task.deployment, undefined, { allowNoFit: true, prices: task.prices });
  const base = {
    id: task.id, requests: 0, completed: 0, rejected: 0, offeredRps: 0, throughputRps: 0, outputTokensPerS: 0, simulatedS: 0,
    latency: { ttftMs: Infinity, tpotMs: Infinity }, prefixHitRate: 0, costUsdPerHour: r4(dep.costUsdPerHour), usdPerMillionTokens: Infinity,
  };
  if (!dep.memory.fits) return { ...base, fits: false, sloMet: false, note: dep.memory.reason };
  let table = windowOf(state.table, task.requestLimit);
  if (task.rateFactor !== 1) table = scaleArrivals(table, task.rateFactor);
  const key = shapeKey(dep);
  let est = state.estimators.get(key);
  if (!est) state.estimators.set(key, (est = estimatorFor(dep)));
  const res = runSimulation(dep, table, task.seed, { estimator: est });
  const s = res.summary;
  const t = task.targets;
  const latency: PointLatency = {
    ttftMs: r4(latencyAt(res.samples.ttftMs, t.ttftMs.percentile)),
    tpotMs: r4(res.samples.tpotMs.length > 0 ? latencyAt(res.samples.tpotMs, t.tpotMs.percentile) : 0),
  };
  if (t.e2eMs) latency.e2eMs = r4(latencyAt(res.samples.e2eMs, t.e2eMs.percentile));
  const note = missReason(latency, t, s.rejected, s.completed, s.requests);
  const cdf: LatencyCdf = {
    ttftMs: LATENCY_CDF_PROBS.map((p) => r4(quantileSorted(res.samples.ttftMs, p))),
    tpotMs: LATENCY_CDF_PROBS.map((p) => r4(res.samples.tpotMs.length > 0 ? quantileSorted(res.samples.tpotMs, p) : 0)),
  };
  return {
    ...base,
    fits: true,
    requests: s.requests,
    completed: s.completed,
    rejected: s.rejected,
    offeredRps: r4(offeredRate(table)),
    throughputRps: s.throughputRps,
    outputTokensPerS: s.outputTokensPerS,
    simulatedS: s.simulatedS,
    latency,
    prefixHitRate: s.prefixHitRate.total,
    usdPerMillionTokens: s.usdPerMillionTokens,
    sloMet: note === undefined,
    ...(note ? { note } : {}),
    cdf,
  };
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
