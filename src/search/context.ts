/**
 * What every search stage shares: the targets, the demand, the workload profile, the seeds, and
 * how a deployment plus a load becomes a trial: a window of the workload whose own offered rate is
 * rescaled to exactly the load, with enough requests for every percentile verdict.
 */
import type { Deployment } from "../config/types.js";
import { shortHash } from "../results/content-hash.js";
import type { SloTargets } from "../results/point.js";
import type { TrialTask } from "../runner/trial.js";
import type { PriceTable } from "../sim/deployment/cost.js";
import type { ConstraintSet } from "./constraints/compile.js";
import type { ResolvedSpace } from "./space.js";
import type { WorkloadProfile } from "./workload-profile.js";

/** Shortest stretch of arrivals a trial replays, s (longer for long sessions). */
export const MIN_TRIAL_WINDOW_S = 150;

/**
 * Seconds of arrivals a trial replays at least: long enough for sessions to reach steady state
 * (their turns keep arriving for a session span after the last new session starts).
 */
export function trialWindowS(p: WorkloadProfile): number {
  return Math.max(MIN_TRIAL_WINDOW_S, 1.5 * p.meanSessionSpanS);
}

/**
 * Highest rate the capacity measurement probes, as a multiple of the planned demand: a point that
 * still meets the SLO there is reported with this capacity and `capacityAtLeast`.
 */
export const MAX_PROBE_MULTIPLE = 3;

/** The rows of the workload table(s) a search or verify run replays from, and how far they stretch. */
export interface WorkloadRows {
  /** Requests of the spec's workload as written. */
  specRequests: number;
  /**
   * Rows each seed's table holds: a synthetic workload is generated further (generation is
   * prefix-stable, so its first `specRequests` rows are the spec's workload) so that a higher rate
   * still replays `trialWindowS` of arrivals; a trace has only its own rows.
   */
  tableRequests: number;
}

export interface SearchContext {
  model: string;
  targets: SloTargets;
  /** The demanded throughput (the spec's `minThroughputRps`, else the workload's rate), req/s. */
  demandRps: number;
  /** The rate the search plans for: demand x (1 + headroom), req/s. */
  planRps: number;
  profile: WorkloadProfile;
  space: ResolvedSpace;
  constraints: ConstraintSet;
  /** The search seed: its workload window decides every search trial. */
  seed: number;
  /** Seeds whose full workloads confirm frontier points (never the search seed). */
  confirmSeeds: number[];
  /** Seeds a capacity is checked on: the confirmation seeds, then more (seeds.ts). */
  capacitySeeds: number[];
  rows: WorkloadRows;
  /** Highest rate a capacity measurement probes, req/s. */
  maxProbeRps: number;
  /** The price list every cost of the run uses. */
  prices: PriceTable;
}

/** Largest replica count the space allows for a deployment. */
export function replicaLimit(ctx: SearchContext, d: Deployment): number {
  return Math.max(1, Math.min(ctx.space.maxReplicas, Math.floor(ctx.space.maxGpus / d.tp)));
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * Requests of the full workload at `rateRps`: the spec's, or more where they would arrive within
 * `trialWindowS` at that rate, as far as the table reaches. A replay shorter than that never reaches
 * steady state (sessions ramp up for a session span, their think times do not scale with the rate),
 * so it would judge a sustained demand on a burst; a synthetic workload is generated further instead.
 */
export function fullRequests(p: WorkloadProfile, rows: WorkloadRows, rateRps: number): number {
  return Math.min(rows.tableRequests, Math.max(rows.specRequests, Math.ceil(rateRps * trialWindowS(p) - 1e-9)));
}

/** A search trial replays the whole workload unless that is more than this many times its window. */
export const WINDOW_SAVING = 10;

/**
 * Requests a search trial at `rateRps` replays: the fewest that give every percentile target a tail
 * of `TAIL_REQUESTS` (`profile.verdictRequests`), and at least `trialWindowS` of arrivals. But a
 * leading window is kinder than the whole workload: sessions ramp up for a session span and drain at
 * the end, so a longer replay spends more of its time at the full rate, and a prefix cache starts
 * cold, so a short replay never sees the reuse (or the cache pressure) of a long one. So a trial
 * replays the whole workload, like a confirmation run, unless that is more than `WINDOW_SAVING`
 * times the window (a long trace).
 */
export function trialRequests(p: WorkloadProfile, rows: WorkloadRows, rateRps: number): number {
  const full = fullRequests(p, rows, rateRps);
  const window = Math.min(full, Math.max(p.verdictRequests, Math.ceil(rateRps * trialWindowS(p))));
  return full <= WINDOW_SAVING * window ? full : window;
}

function task(body: Omit<TrialTask, "id">): TrialTask {
  return { id: shortHash(body, 16), ...body };
}

/**
 * The search trial of `d` at `rateRps` (whole cluster): a window of the search seed's workload
 * rescaled so that its own offered rate is `rateRps`, stopped as soon as a target is certainly missed.
 */
export function trialAt(ctx: SearchContext, d: Deployment, rateRps: number): TrialTask {
  const rate = round6(rateRps);
  return task({ deployment: d, rateRps: rate, requestLimit: trialRequests(ctx.profile, ctx.rows, rate), seed: ctx.seed, targets: ctx.targets, earlyStop: true, prices: ctx.prices });
}

/**
 * The trial of `d` on the full workload of `seed` (`fullRequests`), rescaled to offer `rateRps`:
 * a confirmation run (stopped once a target is certainly missed) or, with `earlyStop` false, a
 * verify run (every percentile exact).
 */
export function fullTrial(
  p: WorkloadProfile, rows: WorkloadRows, targets: SloTargets, prices: PriceTable, d: Deployment, seed: number, rateRps: number, earlyStop = true,
): TrialTask {
  const rate = round6(rateRps);
  return task({ deployment: d, rateRps: rate, requestLimit: fullRequests(p, rows, rate), seed, targets, earlyStop, prices });
}

/** The confirmation trial of `d` on the full workload of `seed` at `rateRps`. */
export function confirmTrial(ctx: SearchContext, d: Deployment, seed: number, rateRps: number): TrialTask {
  return fullTrial(ctx.profile, ctx.rows, ctx.targets, ctx.prices, d, seed, rateRps);
}

/** A deployment's point id: a hash of the deployment alone (stable across runs and stages). */
export function pointId(d: Deployment): string {
  return shortHash(d, 12);
}

/** The same deployment with other fields replaced (deep, plain-data copy). */
export function withChanges(d: Deployment, change: (c: Deployment) => void): Deployment {
  const c = structuredClone(d);
  change(c);
  return c;
}

/** The same deployment with `n` replicas. */
export function withReplicas(d: Deployment, n: number): Deployment {
  return withChanges(d, (x) => {
    x.replicas = n;
  });
}
