/**
 * A point is one evaluated deployment: its latencies at the SLO percentiles, the capacity it
 * sustains within the SLO, and its cost. `frontier-file.ts` assembles them into `frontier.json`.
 */
import type { Deployment } from "../config/types.js";

/** Latencies at the SLO's percentiles, at the demanded load. */
export interface PointLatency {
  ttftMs: number;
  tpotMs: number;
  e2eMs?: number;
}

/** Latency distribution summary for plots: values at `LATENCY_CDF_PROBS`. */
export interface LatencyCdf {
  ttftMs: number[];
  tpotMs: number[];
}

/** Probabilities (0..1) at which `LatencyCdf` samples the distribution. */
export const LATENCY_CDF_PROBS: readonly number[] = Array.from({ length: 51 }, (_, i) => i / 50);

export interface Point {
  /** Stable id derived from the deployment (not from evaluation order). */
  id: string;
  stage: 1 | 2 | 3;
  deployment: Deployment;
  latency: PointLatency;
  /** Highest request rate (req/s) the deployment sustains while meeting every target. */
  capacityRps: number;
  costUsdPerHour: number;
  usdPerMillionTokens: number;
  prefixHitRate: number;
  sloMet: boolean;
  /** Optional extras for reports. */
  cdf?: LatencyCdf;
  /** Why the point misses the SLO, when it does (e.g. "p99 TTFT 2310 ms > 2000 ms"). */
  note?: string;
}

/** The SLO targets a point is judged against. */
export interface SloTargets {
  ttftMs: { percentile: number; max: number };
  tpotMs: { percentile: number; max: number };
  e2eMs?: { percentile: number; max: number };
  minThroughputRps?: number;
}
