/**
 * What the search produces (SPEC section 6a). A point is one evaluated deployment; the frontier is
 * the non-dominated set over (latency down, capacity up, cost down) among points that meet the SLO.
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

/** One point of a workload's prefix hit-rate curve (stage 3 and the report). */
export interface HitCurvePoint {
  capacityTokens: number;
  tokenHitRate: number;
  blockHitRate: number;
}

/** `frontier.json` and the main command's `--json` output. */
export interface FrontierFile {
  runId: string;
  runs: number;
  wallS: number;
  demandRps: number;
  recommended: Point | null;
  frontier: Point[];
  points: Point[];
  /** When no point meets the SLO: the closest misses, best first. */
  closest?: Point[];
  hitCurve?: HitCurvePoint[];
}

/** The SLO targets a point is judged against. */
export interface SloTargets {
  ttftMs: { percentile: number; max: number };
  tpotMs: { percentile: number; max: number };
  e2eMs?: { percentile: number; max: number };
  minThroughputRps?: number;
}
