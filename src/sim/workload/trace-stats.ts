/** Summary statistics of a request table (`trace stats`). */
import { lruReuseProfile } from "../cache/hit-curve.js";
import { mean, percentileSorted } from "../metrics/quantile.js";
import { hashIdBound, promptBlocks, type RequestTable } from "./request-table.js";

export interface LengthSummary {
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
}

export interface TraceStats {
  requests: number;
  /** Last arrival minus first, seconds (open-loop requests). */
  spanS: number;
  /** requests / spanS; null when every request arrives at once. */
  rateRps: number | null;
  inputTokens: LengthSummary;
  outputTokens: LengthSummary;
  blockSize: number;
  /** Prompt blocks, summed over requests. */
  blocks: number;
  /** Distinct prompt block ids. */
  uniqueBlocks: number;
  /**
   * Prefix hit rate with an unbounded cache, by tokens and by blocks: the share of prompt blocks in
   * the leading run of a request's blocks that an earlier request already sent (as SGLang's
   * `RadixCache.match_prefix` finds them, `python/sglang/srt/mem_cache/radix_cache.py`).
   */
  prefixHitRate: { token: number; block: number };
  /** Distinct sessions, null when the trace does not say. */
  sessions: number | null;
}

/** p50/p90/p99 (type 7), mean and max of integer lengths. */
export function summarizeLengths(values: Int32Array): LengthSummary {
  const s = Int32Array.from(values).sort();
  return {
    p50: percentileSorted(s, 50),
    p90: percentileSorted(s, 90),
    p99: percentileSorted(s, 99),
    mean: mean(s),
    max: s.length > 0 ? s[s.length - 1] : Number.NaN,
  };
}

/** Counts, span, rate, length percentiles, blocks and the unbounded prefix hit rate of `t`. */
export function traceStats(t: RequestTable): TraceStats {
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < t.count; i++) {
    if (t.after[i] >= 0) continue;
    first = Math.min(first, t.arrivalUs[i]);
    last = Math.max(last, t.arrivalUs[i]);
  }
  const spanS = last > first ? (last - first) / 1e6 : 0;
  const bound = hashIdBound(t);
  const seen = new Uint8Array(bound);
  let blocks = 0;
  let uniqueBlocks = 0;
  for (let i = 0; i < t.count; i++) {
    const s = t.hashStart[i];
    const np = promptBlocks(t, i);
    blocks += np;
    for (let k = s; k < s + np; k++) {
      if (seen[t.hashIds[k]] === 0) {
        seen[t.hashIds[k]] = 1;
        uniqueBlocks++;
      }
    }
  }
  const unbounded = lruReuseProfile(t).point(0);
  let maxSession = -1;
  for (let i = 0; i < t.count; i++) maxSession = Math.max(maxSession, t.sessionId[i]);
  let sessions: number | null = null;
  if (maxSession >= 0) {
    const sessionSeen = new Uint8Array(maxSession + 1);
    sessions = 0;
    for (let i = 0; i < t.count; i++) {
      const id = t.sessionId[i];
      if (id >= 0 && sessionSeen[id] === 0) {
        sessionSeen[id] = 1;
        sessions++;
      }
    }
  }
  return {
    requests: t.count,
    spanS,
    rateRps: spanS > 0 ? t.count / spanS : null,
    inputTokens: summarizeLengths(t.inputTokens),
    outputTokens: summarizeLengths(t.outputTokens),
    blockSize: t.blockSize,
    blocks,
    uniqueBlocks,
    prefixHitRate: { token: unbounded.tokenHitRate, block: unbounded.blockHitRate },
    sessions,
  };
}
