/**
 * What the search needs to know about a workload before simulating it: typical and tail lengths,
 * its natural arrival rate, and its prefix-reuse curve (one stack-distance pass).
 */
import type { HitCurvePoint } from "../results/frontier-file.js";
import type { SloTargets } from "../results/point.js";
import { offeredRate } from "../runner/trial.js";
import { prefixForVerdicts } from "../runner/verdict.js";
import { lruReuseProfile, type LruReuseProfile } from "../sim/cache/hit-curve.js";
import { quantileSorted } from "../sim/metrics/quantile.js";
import type { RequestTable } from "../sim/workload/request-table.js";

export interface WorkloadProfile {
  requests: number;
  meanInputTokens: number;
  meanOutputTokens: number;
  p99InputTokens: number;
  /** p99 of input + output: the KV one request needs at its end. */
  p99SequenceTokens: number;
  /** Natural arrival rate of the workload, req/s. */
  naturalRps: number;
  reuse: LruReuseProfile;
  /** Token hit rate with an unbounded cache. */
  unboundedHitRate: number;
  /** Mean time from a session's first to its last arrival (0 without sessions), s. */
  meanSessionSpanS: number;
  /**
   * Fewest leading requests whose samples give every percentile target a tail of `TAIL_REQUESTS`
   * (all of them when the workload is smaller than that).
   */
  verdictRequests: number;
}

export function profileWorkload(t: RequestTable, targets: SloTargets): WorkloadProfile {
  const n = t.count;
  const inp = Float64Array.from(t.inputTokens.subarray(0, n)).sort();
  const seq = new Float64Array(n);
  let sumIn = 0;
  let sumOut = 0;
  for (let i = 0; i < n; i++) {
    sumIn += t.inputTokens[i];
    sumOut += t.outputTokens[i];
    seq[i] = t.inputTokens[i] + t.outputTokens[i];
  }
  seq.sort();
  const reuse = lruReuseProfile(t);
  // Session spans from the table's arrival estimates (released turns carry predecessor + think time).
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const sid = t.sessionId[i];
    if (sid < 0) continue;
    const a = t.arrivalUs[i];
    if (!first.has(sid)) first.set(sid, a);
    last.set(sid, Math.max(last.get(sid) ?? a, a));
  }
  let spanSum = 0;
  for (const [sid, a] of first) spanSum += (last.get(sid)! - a) / 1e6;
  return {
    requests: n,
    meanInputTokens: sumIn / n,
    meanOutputTokens: sumOut / n,
    p99InputTokens: quantileSorted(inp, 0.99),
    p99SequenceTokens: quantileSorted(seq, 0.99),
    naturalRps: offeredRate(t),
    reuse,
    unboundedHitRate: reuse.point(0).tokenHitRate,
    meanSessionSpanS: first.size > 0 ? spanSum / first.size : 0,
    verdictRequests: prefixForVerdicts(t, targets),
  };
}

/** The workload's hit-rate curve at a geometric ladder of capacities (for the report). */
export function hitCurveOf(profile: WorkloadProfile): HitCurvePoint[] {
  const reuse = profile.reuse;
  const sat = Math.max(reuse.blockSize, reuse.saturationTokens);
  const out: HitCurvePoint[] = [];
  for (let c = Math.max(reuse.blockSize, 2 ** 14); c < sat * 2; c *= 2) out.push(reuse.point(c));
  out.push(reuse.point(0));
  return out.map((p) => ({ capacityTokens: p.capacityTokens, tokenHitRate: Math.round(p.tokenHitRate * 1e4) / 1e4, blockHitRate: Math.round(p.blockHitRate * 1e4) / 1e4 }));
}
