/**
 * What an SLO verdict rests on: which requests each percentile target counts, how many it needs so
 * that its tail holds at least `TAIL_REQUESTS` of them, and a watch that stops a simulation as soon
 * as a target is certainly missed (the verdict of the full run is then already known, exactly).
 */
import type { SloTargets } from "../results/point.js";
import type { SimulationWatch } from "../sim/cluster/simulate.js";
import type { RequestTable } from "../sim/workload/request-table.js";

/** Requests a percentile's tail must hold for its verdict to mean something (p99: 5000 requests). */
export const TAIL_REQUESTS = 50;

export type TargetMetric = "ttftMs" | "tpotMs" | "e2eMs";

/** The latency targets of an SLO, in report order. */
export function targetMetrics(t: SloTargets): TargetMetric[] {
  return t.e2eMs ? ["ttftMs", "tpotMs", "e2eMs"] : ["ttftMs", "tpotMs"];
}

/** Requests a target at `percentile` needs so that `TAIL_REQUESTS` lie above it (p99: 5000, p90: 500). */
export function requestsNeeded(percentile: number): number {
  const tail = 1 - percentile / 100;
  if (tail <= 0) return Infinity;
  // Rounded first: 1 - 0.99 is 0.010000000000000009 and 1 - 0.999 is 0.0009999999999998899, which
  // would otherwise give 4999.99... and 50000.0000000055.
  return Math.ceil(Math.round((TAIL_REQUESTS / tail) * 1e6) / 1e6);
}

/**
 * Whether request i contributes a sample to `metric`: TPOT is defined only for requests with at
 * least two output tokens; TTFT and E2E count every request.
 */
export function countsFor(metric: TargetMetric, t: RequestTable, i: number): boolean {
  return metric !== "tpotMs" || t.outputTokens[i] >= 2;
}

/** Samples each metric gets from the first `n` requests of `t` (all of them when they complete). */
export function samplesIn(t: RequestTable, n: number, metrics: readonly TargetMetric[]): Record<TargetMetric, number> {
  let multi = 0;
  for (let i = 0; i < n; i++) if (t.outputTokens[i] >= 2) multi++;
  const out = { ttftMs: n, tpotMs: multi, e2eMs: n };
  for (const m of ["ttftMs", "tpotMs", "e2eMs"] as const) if (!metrics.includes(m)) out[m] = 0;
  return out;
}

/**
 * Smallest prefix of `t` whose samples satisfy every target's `requestsNeeded`, or `t.count` when
 * even the whole table does not (then the verdict rests on a thinner tail, and the reports say so).
 */
export function prefixForVerdicts(t: RequestTable, targets: SloTargets): number {
  const metrics = targetMetrics(targets);
  const need = metrics.map((m) => requestsNeeded(targets[m]!.percentile));
  const have = metrics.map(() => 0);
  for (let i = 0; i < t.count; i++) {
    let ok = true;
    for (let k = 0; k < metrics.length; k++) {
      if (countsFor(metrics[k], t, i)) have[k]++;
      if (have[k] < need[k]) ok = false;
    }
    if (ok) return i + 1;
  }
  return t.count;
}

/**
 * Index of the order statistic below a type-7 percentile: the quantile at `pct` of n ascending
 * samples is at least sample `floor((n - 1) * pct / 100)` (0-based), computed exactly as
 * `sim/cluster/summary.ts`'s `latencyAt` does (simple-statistics `quantileSorted`).
 */
export function quantileFloorIndex(n: number, pct: number): number {
  return Math.floor((n - 1) * (pct / 100));
}

interface MetricWatch {
  metric: TargetMetric;
  maxMs: number;
  percentile: number;
  /** Samples the full run would have. */
  n: number;
  /** Samples above the target that make the percentile certainly exceed it. */
  needOver: number;
  over: number;
  /** Samples realized so far (for lower bounds after a stop). */
  seen: Float64Array;
  count: number;
}

/**
 * Stops a trial once its SLO verdict is certain to be a miss: a percentile target is missed as soon
 * as `n - floor((n - 1) p)` of its n samples exceed the target, whatever the others turn out to be
 * (the type-7 quantile is at least that order statistic). A rejected request is a miss too.
 * Latencies are computed with the same expressions as the run's summary, so the verdict is the one
 * the full run would give. After a stop, `lowerBounds()` gives, per metric, a value the full run's
 * percentile is certain to reach.
 */
export class VerdictWatch implements SimulationWatch {
  private readonly watches: MetricWatch[];
  private readonly byMetric: Partial<Record<TargetMetric, MetricWatch>> = {};
  /** The metric whose miss stopped the run, or "rejected". */
  stoppedBy: TargetMetric | "rejected" | undefined;

  constructor(private readonly table: RequestTable, targets: SloTargets) {
    const metrics = targetMetrics(targets);
    const n = samplesIn(table, table.count, metrics);
    this.watches = metrics.map((m) => {
      const t = targets[m]!;
      const w: MetricWatch = {
        metric: m, maxMs: t.max, percentile: t.percentile, n: n[m], needOver: n[m] - quantileFloorIndex(n[m], t.percentile), over: 0,
        seen: new Float64Array(n[m]), count: 0,
      };
      this.byMetric[m] = w;
      return w;
    });
  }

  private add(w: MetricWatch | undefined, v: number): boolean {
    if (!w) return false;
    w.seen[w.count++] = v;
    if (v > w.maxMs && ++w.over >= w.needOver && w.n > 0) {
      this.stoppedBy ??= w.metric;
      return true;
    }
    return false;
  }

  onFirstToken(_idx: number, arrivalUs: number, firstTokenUs: number): boolean {
    return this.add(this.byMetric.ttftMs, (firstTokenUs - arrivalUs) / 1e3);
  }

  onFinish(idx: number, arrivalUs: number, firstTokenUs: number, finishUs: number): boolean {
    // The same expressions as sim/cluster/summary.ts (ms, then the TPOT quotient).
    const t = (firstTokenUs - arrivalUs) / 1e3;
    const e = (finishUs - arrivalUs) / 1e3;
    let stop = this.add(this.byMetric.e2eMs, e);
    const out = this.table.outputTokens[idx];
    if (out >= 2) stop = this.add(this.byMetric.tpotMs, (e - t) / (out - 1)) || stop;
    return stop;
  }

  onReject(): boolean {
    this.stoppedBy ??= "rejected";
    return true;
  }

  /**
   * Per metric, a value the full run's percentile cannot be below: its order statistic
   * floor((n - 1) p) is the (n - floor((n - 1) p))-th largest sample, which is at least the
   * same rank among the samples seen so far (0 when fewer have been seen).
   */
  lowerBounds(): Record<TargetMetric, number> {
    const out = { ttftMs: 0, tpotMs: 0, e2eMs: 0 };
    for (const w of this.watches) {
      if (w.count < w.needOver) continue;
      const seen = w.seen.slice(0, w.count).sort();
      out[w.metric] = seen[w.count - w.needOver];
    }
    return out;
  }
}
