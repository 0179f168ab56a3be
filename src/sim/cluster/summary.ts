/**
 * Turns a finished simulation into its metrics: latency percentiles, throughput, prefix hit rates,
 * KV tier traffic and cost (`simulate --json`). Percentiles are type-7;
 * ITL comes from a log histogram (0.5% buckets) because it is per token.
 */
import type { ResolvedDeployment } from "../deployment/resolve.js";
import type { Replica } from "../engine/replica.js";
import type { LogHistogram } from "../metrics/log-histogram.js";
import { mean, quantileSorted } from "../metrics/quantile.js";
import type { RequestTable } from "../workload/request-table.js";
import type { RequestOutcomes } from "./simulate.js";

export interface LatencyStats {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

/** `simulate --json`. Field names are a fixed contract: users and the reports read them. */
export interface SimulationSummary {
  requests: number;
  completed: number;
  /** Requests longer than the KV pool, rejected by the engine. */
  rejected: number;
  simulatedS: number;
  /** Wall time of the simulation; filled in by the caller (the core never reads the clock). */
  wallS: number;
  throughputRps: number;
  outputTokensPerS: number;
  inputTokensPerS: number;
  ttftMs: LatencyStats;
  tpotMs: LatencyStats;
  itlMs: LatencyStats;
  e2eMs: LatencyStats;
  prefixHitRate: { total: number; l1: number; l2: number; l3: number };
  ioGb: { l2ToL1: number; l1ToL2: number; l3ToL2: number; l2ToL3: number };
  evictions: { l1: number; l2: number; l3: number };
  perReplica: { completed: number; prefixHitRate: number; busyFraction: number }[];
  costUsdPerHour: number;
  usdPerMillionTokens: number;
}

/** Sorted per-request latencies (ms) for SLO percentiles and CDFs. */
export interface LatencySamples {
  ttftMs: Float64Array;
  tpotMs: Float64Array;
  e2eMs: Float64Array;
}

export interface SimulationResult {
  summary: SimulationSummary;
  samples: LatencySamples;
  outcomes: RequestOutcomes;
  /** Events processed and the most requests in flight at once (memory follows this). */
  events: number;
  peakInFlight: number;
  /** A watch stopped the run before every request was done (`SimulationInput.watch`). */
  stoppedEarly?: boolean;
}

interface SummaryInput {
  dep: ResolvedDeployment;
  table: RequestTable;
  out: RequestOutcomes;
  itl: LogHistogram;
  replicas: Replica[];
  rejected: number;
  lastUs: number;
  peakInFlight: number;
  events: number;
}

const round = (x: number, digits = 4): number => {
  if (!Number.isFinite(x)) return 0;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** No samples, no statistic: NaN (null in JSON), never a 0 that reads as "instant". */
const NO_STATS: LatencyStats = { mean: NaN, p50: NaN, p90: NaN, p99: NaN };

function stats(sorted: Float64Array): LatencyStats {
  if (sorted.length === 0) return { ...NO_STATS };
  return {
    mean: round(mean(sorted)),
    p50: round(quantileSorted(sorted, 0.5)),
    p90: round(quantileSorted(sorted, 0.9)),
    p99: round(quantileSorted(sorted, 0.99)),
  };
}

/** Latency at percentile `pct` (0-100) of sorted samples, type-7. */
export function latencyAt(sorted: Float64Array, pct: number): number {
  return sorted.length === 0 ? Infinity : quantileSorted(sorted, pct / 100);
}

export function summarize(s: SummaryInput): SimulationResult {
  const { table, out, dep } = s;
  const n = table.count;
  let completed = 0;
  let firstArrival = Infinity;
  let lastFinish = 0;
  let inTok = 0;
  let outTok = 0;
  let h1 = 0, h2 = 0, h3 = 0, hitIn = 0;
  let multi = 0;
  for (let i = 0; i < n; i++) {
    if (out.arrivalUs[i] < firstArrival) firstArrival = out.arrivalUs[i];
    if (!Number.isNaN(out.finishUs[i])) {
      completed++;
      if (out.finishUs[i] > lastFinish) lastFinish = out.finishUs[i];
      inTok += table.inputTokens[i];
      outTok += table.outputTokens[i];
      h1 += out.hitL1[i];
      h2 += out.hitL2[i];
      h3 += out.hitL3[i];
      hitIn += table.inputTokens[i];
      if (table.outputTokens[i] >= 2) multi++;
    }
  }
  const ttft = new Float64Array(completed);
  const e2e = new Float64Array(completed);
  const tpot = new Float64Array(multi);
  for (let i = 0, a = 0, b = 0; i < n; i++) {
    if (Number.isNaN(out.finishUs[i])) continue;
    const t = (out.firstTokenUs[i] - out.arrivalUs[i]) / 1e3;
    const e = (out.finishUs[i] - out.arrivalUs[i]) / 1e3;
    ttft[a] = t;
    e2e[a++] = e;
    if (table.outputTokens[i] >= 2) tpot[b++] = (e - t) / (table.outputTokens[i] - 1);
  }
  ttft.sort();
  e2e.sort();
  tpot.sort();
  const spanUs = completed > 0 ? lastFinish - firstArrival : 0;
  const spanS = spanUs / 1e6;
  const perSec = (x: number) => (spanS > 0 ? x / spanS : 0);
  const itlStats: LatencyStats =
    s.itl.total > 0
      ? {
          mean: round(s.itl.mean / 1e3),
          p50: round(s.itl.quantile(0.5) / 1e3),
          p90: round(s.itl.quantile(0.9) / 1e3),
          p99: round(s.itl.quantile(0.99) / 1e3),
        }
      : { ...NO_STATS };
  let io = { l2ToL1: 0, l1ToL2: 0, l3ToL2: 0, l2ToL3: 0 };
  let ev = { l1: 0, l2: 0, l3: 0 };
  const l3Stores = new Set<unknown>();
  const perReplica = s.replicas.map((r) => {
    const st = r.stats;
    io = {
      l2ToL1: io.l2ToL1 + st.bytesL2ToL1,
      l1ToL2: io.l1ToL2 + st.bytesL1ToL2,
      l3ToL2: io.l3ToL2 + st.bytesL3ToL2,
      l2ToL3: io.l2ToL3 + st.bytesL2ToL3,
    };
    ev.l1 += r.cache.evictionsL1;
    ev.l2 += r.cache.evictionsL2;
    const store = r.l3Store;
    if (store && !l3Stores.has(store)) {
      l3Stores.add(store);
      ev.l3 += store.evictions;
    }
    const hits = st.hitTokensL1 + st.hitTokensL2 + st.hitTokensL3;
    return {
      completed: st.completed,
      prefixHitRate: round(st.inputTokens > 0 ? hits / st.inputTokens : 0),
      busyFraction: round(spanUs > 0 ? Math.min(1, st.busyUs / spanUs) : 0),
    };
  });
  ev = { ...ev };
  const outputTokensPerS = perSec(outTok);
  const summary: SimulationSummary = {
    requests: n,
    completed,
    rejected: s.rejected,
    simulatedS: round(spanS),
    wallS: 0,
    throughputRps: round(perSec(completed)),
    outputTokensPerS: round(outputTokensPerS, 2),
    inputTokensPerS: round(perSec(inTok), 2),
    ttftMs: stats(ttft),
    tpotMs: stats(tpot),
    itlMs: itlStats,
    e2eMs: stats(e2e),
    prefixHitRate: {
      total: round(hitIn > 0 ? (h1 + h2 + h3) / hitIn : 0),
      l1: round(hitIn > 0 ? h1 / hitIn : 0),
      l2: round(hitIn > 0 ? h2 / hitIn : 0),
      l3: round(hitIn > 0 ? h3 / hitIn : 0),
    },
    ioGb: {
      l2ToL1: round(io.l2ToL1 / 1e9, 6),
      l1ToL2: round(io.l1ToL2 / 1e9, 6),
      l3ToL2: round(io.l3ToL2 / 1e9, 6),
      l2ToL3: round(io.l2ToL3 / 1e9, 6),
    },
    evictions: ev,
    perReplica,
    costUsdPerHour: round(dep.costUsdPerHour),
    usdPerMillionTokens: round(outputTokensPerS > 0 ? (dep.costUsdPerHour / (outputTokensPerS * 3600)) * 1e6 : Infinity),
  };
  return {
    summary,
    samples: { ttftMs: ttft, tpotMs: tpot, e2eMs: e2e },
    outcomes: out,
    events: s.events,
    peakInFlight: s.peakInFlight,
  };
}
