/**
 * What every search stage shares: the targets, the demand, the workload profile, and how a
 * deployment plus a load becomes a trial (a window of the workload at a scaled rate).
 */
import type { Deployment } from "../config/types.js";
import { shortHash } from "../results/content-hash.js";
import type { LatencyCdf, Point, SloTargets } from "../results/point.js";
import type { TrialResult, TrialTask } from "../runner/trial.js";
import type { PriceTable } from "../sim/deployment/cost.js";
import type { ConstraintSet } from "./constraints/compile.js";
import type { ResolvedSpace } from "./space.js";
import type { WorkloadProfile } from "./workload-profile.js";

/** Shortest stretch of arrivals a trial replays, s (longer for long sessions). */
export const MIN_TRIAL_WINDOW_S = 150;
/** Fewest requests a trial replays, so percentiles mean something. */
export const MIN_TRIAL_REQUESTS = 400;

/**
 * Seconds of arrivals a trial replays: long enough for sessions to reach steady state (their turns
 * keep arriving for a session span after the last new session starts).
 */
export function trialWindowS(p: WorkloadProfile): number {
  return Math.max(MIN_TRIAL_WINDOW_S, 1.5 * p.meanSessionSpanS);
}

/** Highest rate a trial can offer while still replaying a full window from the workload, req/s. */
export function maxTrialRate(p: WorkloadProfile): number {
  return p.requests / trialWindowS(p);
}

export interface SearchContext {
  model: string;
  targets: SloTargets;
  demandRps: number;
  profile: WorkloadProfile;
  space: ResolvedSpace;
  constraints: ConstraintSet;
  seed: number;
  /** The price list every cost of the run uses. */
  prices: PriceTable;
}

/** Largest replica count the space allows for a deployment. */
export function replicaLimit(ctx: SearchContext, d: Deployment): number {
  return Math.max(1, Math.min(ctx.space.maxReplicas, Math.floor(ctx.space.maxGpus / d.tp)));
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The trial that simulates `d` with the workload arriving at `rateRps` (whole cluster). */
export function trialAt(ctx: SearchContext, d: Deployment, rateRps: number): TrialTask {
  const p = ctx.profile;
  const requestLimit = Math.min(p.requests, Math.max(MIN_TRIAL_REQUESTS, Math.round(rateRps * trialWindowS(p))));
  const rateFactor = round6(rateRps / p.naturalRps);
  const body = { deployment: d, rateFactor, requestLimit: requestLimit >= p.requests ? 0 : requestLimit, seed: ctx.seed, targets: ctx.targets, prices: ctx.prices };
  return { id: shortHash(body, 16), ...body };
}

/** A deployment's point id: a hash of the deployment alone (stable across runs and stages). */
export function pointId(d: Deployment): string {
  return shortHash(d, 12);
}

/** A point for a trial run at the demanded load. */
export function pointOf(stage: 1 | 2 | 3, d: Deployment, r: TrialResult, capacityRps: number): Point {
  const p: Point = {
    id: pointId(d),
    stage,
    deployment: d,
    latency: r.latency,
    capacityRps: Math.round(capacityRps * 1000) / 1000,
    costUsdPerHour: r.costUsdPerHour,
    usdPerMillionTokens: r.usdPerMillionTokens,
    prefixHitRate: r.prefixHitRate,
    sloMet: r.sloMet,
  };
  if (r.cdf) p.cdf = r.cdf as LatencyCdf;
  if (r.note) p.note = r.note;
  return p;
}

/** The same deployment with other fields replaced (deep, plain-data copy). */
export function withChanges(d: Deployment, change: (c: Deployment) => void): Deployment {
  const c = structuredClone(d);
  change(c);
  return c;
}
