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
  /**
   * Highest request rate (req/s) at which this exact cluster meets every target, measured on cluster
   * simulations to 2.5% (frontier points), or an estimate (`capacityEstimated`): for a point that
   * meets the SLO, the highest rate it was seen to meet it at; for one that misses it, a figure
   * below the demand.
   */
  capacityRps: number;
  /** True when `capacityRps` is an estimate, not a measurement. */
  capacityEstimated: boolean;
  /** The SLO still held at the highest rate measured: the capacity is at least `capacityRps`. */
  capacityAtLeast?: boolean;
  costUsdPerHour: number;
  usdPerMillionTokens: number;
  prefixHitRate: number;
  /** Meets every target at the planned demand; frontier points are also confirmed (`confirmedSeeds`). */
  sloMet: boolean;
  /** Seeds whose full workloads confirmed the point at the planned demand (empty when not confirmed). */
  confirmedSeeds: number[];
  /** Its trial stopped once a target was certainly missed: `latency` holds lower bounds. */
  earlyStopped?: boolean;
  /** Ids of grid points that simulated identically and were collapsed into this one (--exhaustive). */
  equivalentIds?: string[];
  /** The confirmation runs, per seed (frontier candidates). */
  confirmation?: Confirmation;
  /** Optional extras for reports. */
  cdf?: LatencyCdf;
  /** Why the point misses the SLO, when it does (e.g. "p99 TTFT 2310 ms > 2000 ms"). */
  note?: string;
}

/** How a point fared on the confirmation seeds' full workloads. */
export interface Confirmation {
  /** Offered rate of the confirmation runs (demand x (1 + headroom)), req/s. */
  rateRps: number;
  seeds: { seed: number; sloMet: boolean; latency: PointLatency; earlyStopped?: boolean; note?: string }[];
}

/** The SLO targets a point is judged against. */
export interface SloTargets {
  ttftMs: { percentile: number; max: number };
  tpotMs: { percentile: number; max: number };
  e2eMs?: { percentile: number; max: number };
  minThroughputRps?: number;
}
