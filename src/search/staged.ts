/**
 * Stages 2 and 3 of the search as resumable generators (see driver.ts).
 *
 * Stage 2, routing co-evaluation: for each stage-1 candidate, a binary search of the replica
 * count on single-replica simulations (one replica at demand / R, gated on the SLO percentiles
 * rather than on scheduling delay); then for each router policy the replica count of the real
 * cluster is walked from there to the fewest replicas that meet every target at the demand.
 *
 * Stage 3, KV tier sizing: for the best candidates, L2 capacities at the knees of the workload's
 * hit-rate curve (and the space's sizes), then L3 media and capacities, then eviction / prefetch /
 * write policies, each time re-walking the replica count, because a tier costs money and can save
 * replicas or TTFT.
 */
import type { Deployment } from "../config/types.js";
import { resolveModel } from "../catalog/index.js";
import { kvBytesPerTokenPerReplica } from "../sim/model/memory.js";
import { constraintScope } from "./constraints/scope.js";
import { maxTrialRate, pointOf, trialAt, withChanges, type SearchContext } from "./context.js";
import type { TrialGen } from "./driver.js";
import type { Stage1Candidate } from "./stage1.js";
import type { TrialResult } from "../runner/trial.js";
import type { Point } from "../results/point.js";

const HEADROOM_STEP = 1.5;
/** The sustainable rate of one replica is bisected to this relative resolution. */
export const RATE_RESOLUTION = 0.025;

export interface CapacityResult {
  candidate: Stage1Candidate;
  /**
   * A request rate one replica is known to sustain within the SLO, req/s (0 = none found):
   * demand / R for the smallest R at which one replica meets every target at demand / R, or a
   * higher rate probed above the demand when a single replica suffices.
   */
  capacityRps: number;
  /** Smallest replica count whose per-replica share of the demand one replica meets (0 = none). */
  replicas: number;
  probes: number;
}

/**
 * Binary search of the replica count on single-replica simulations: one replica receives
 * demand / R and must meet every SLO percentile. Routing does not matter yet, so a single
 * replica stands for its share of the cluster; stage 2 then checks real clusters per policy.
 * The sustainable rate of one replica is then bisected to 2.5% (Vidur-style, but gated on the SLO
 * percentiles rather than on scheduling delay).
 */
export function* capacitySearch(ctx: SearchContext, c: Stage1Candidate): TrialGen<CapacityResult> {
  const d = withChanges(c.deployment, (x) => {
    x.replicas = 1;
    x.router = { policy: "round_robin" };
  });
  const limit = replicaLimit(ctx, c.deployment);
  let probes = 0;
  const passesAt = function* (rate: number): TrialGen<boolean> {
    probes++;
    const r: TrialResult = yield trialAt(ctx, d, rate);
    return r.fits && r.sloMet;
  };
  const passes = (n: number) => passesAt(ctx.demandRps / n);
  const est = Math.min(limit, Math.max(1, Math.ceil(ctx.demandRps / Math.max(1e-9, c.capacityRps))));
  let lo = 0; // largest count known to fail (0 = none)
  let hi = 0; // smallest count known to pass (0 = none)
  if (yield* passes(est)) {
    hi = est;
    // Gallop down, then bisect.
    for (let step = 1; hi > 1 && lo === 0; step *= 2) {
      const n = Math.max(1, hi - step);
      if (yield* passes(n)) hi = n;
      else lo = n;
      if (n === 1) break;
    }
  } else {
    lo = est;
    for (let n = est; hi === 0 && n < limit; ) {
      n = Math.min(limit, n * 2);
      if (yield* passes(n)) hi = n;
      else lo = n;
    }
  }
  while (hi > 0 && lo > 0 && hi - lo > 1) {
    const m = (lo + hi) >> 1;
    if (yield* passes(m)) hi = m;
    else lo = m;
  }
  if (hi === 0) return { candidate: c, capacityRps: 0, replicas: 0, probes };
  // Refine the sustainable rate of one replica to RATE_RESOLUTION: it is between demand / hi
  // (met) and demand / (hi - 1) (missed), or above the demand when one replica suffices.
  const maxRate = Math.max(ctx.demandRps, maxTrialRate(ctx.profile));
  let ok = ctx.demandRps / hi;
  let bad = hi > 1 ? ctx.demandRps / (hi - 1) : Infinity;
  while (bad === Infinity) {
    const rate = Math.min(maxRate, ok * HEADROOM_STEP);
    if (rate <= ok) break;
    if (yield* passesAt(rate)) ok = rate;
    else bad = rate;
  }
  for (let i = 0; i < 8 && bad < Infinity && (bad - ok) / bad > RATE_RESOLUTION; i++) {
    const m = (ok + bad) / 2;
    if (yield* passesAt(m)) ok = m;
    else bad = m;
  }
  const capacity = ok;
  return { candidate: c, capacityRps: capacity, replicas: hi, probes };
}

/** Largest replica count the space allows for a deployment. */
export function replicaLimit(ctx: SearchContext, d: Deployment): number {
  return Math.max(1, Math.min(ctx.space.maxReplicas, Math.floor(ctx.space.maxGpus / d.tp)));
}

function allowed(ctx: SearchContext, d: Deployment): boolean {
  return ctx.constraints.allows(constraintScope(d));
}

export interface ReplicaWalk {
  points: Point[];
  /** Fewest replicas that met the SLO, or undefined. */
  best?: Point;
}

/**
 * Walks the replica count of `d` at the demanded load from `start`: down while it keeps meeting
 * the SLO, up while it misses (a few steps each way), returning every evaluated point.
 */
export function* replicaWalk(ctx: SearchContext, d: Deployment, start: number, stage: 2 | 3, capacityPerReplica: number): TrialGen<ReplicaWalk> {
  const limit = replicaLimit(ctx, d);
  const points: Point[] = [];
  const at = function* (n: number): TrialGen<Point | undefined> {
    const dn = withChanges(d, (x) => {
      x.replicas = n;
    });
    if (!allowed(ctx, dn)) return undefined;
    const r: TrialResult = yield trialAt(ctx, dn, ctx.demandRps);
    // A cluster that meets the SLO at the demand sustains at least the demand.
    const cap = capacityPerReplica > 0 ? capacityPerReplica * n : r.throughputRps;
    const p = pointOf(stage, dn, r, r.sloMet ? Math.max(cap, ctx.demandRps) : cap);
    points.push(p);
    return p;
  };
  let n = Math.min(limit, Math.max(1, start));
  let best: Point | undefined;
  const first = yield* at(n);
  if (first?.sloMet) {
    best = first;
    for (let i = 0; i < 3 && n > 1; i++) {
      const p = yield* at(n - 1);
      if (!p?.sloMet) break;
      best = p;
      n--;
    }
  } else {
    for (let i = 0; i < 3 && n < limit; i++) {
      n++;
      const p = yield* at(n);
      if (p?.sloMet) {
        best = p;
        break;
      }
    }
  }
  return { points, best };
}

/** Stage 2 for one candidate and one policy, after its capacity is known. */
export function* routingEvaluation(ctx: SearchContext, cap: CapacityResult, policy: Deployment["router"]["policy"]): TrialGen<ReplicaWalk> {
  const d = withChanges(cap.candidate.deployment, (x) => {
    x.router = { policy };
  });
  const start = cap.replicas > 0 ? cap.replicas : replicaLimit(ctx, d);
  return yield* replicaWalk(ctx, d, start, 2, cap.capacityRps);
}

/** KV bytes of one token across a deployment's TP group. */
function kvBytesPerToken(d: Deployment): number {
  return kvBytesPerTokenPerReplica(resolveModel(d.model), d.kvDtype, d.tp);
}

/** Rounds a capacity up to a tidy size (1, 2 or 5 times a power of ten, GB). */
export function tidyGb(gb: number): number {
  if (gb <= 0) return 0;
  const p = 10 ** Math.floor(Math.log10(gb));
  for (const m of [1, 2, 5, 10]) if (m * p >= gb) return m * p;
  return 10 * p;
}

/**
 * Capacities (tokens, whole cluster) at the knees of the workload's LRU hit curve: the smallest
 * capacities reaching 80% and 95% of the unbounded hit rate (diminishing returns past them).
 */
export function hitCurveKnees(ctx: SearchContext): number[] {
  const reuse = ctx.profile.reuse;
  const max = reuse.point(0).tokenHitRate;
  if (max <= 0) return [];
  const sat = Math.max(reuse.blockSize, reuse.saturationTokens);
  const knees: number[] = [];
  for (const frac of [0.8, 0.95]) {
    let lo = 0;
    let hi = sat;
    while (hi - lo > reuse.blockSize) {
      const m = (lo + hi) / 2;
      if (reuse.point(m).tokenHitRate >= frac * max) hi = m;
      else lo = m;
    }
    knees.push(hi);
  }
  return knees;
}

/** L2 sizes (GB per replica) worth simulating for `d`: the space's, and the hit-curve knees. */
export function l2Options(ctx: SearchContext, d: Deployment, l1PoolTokens: number): number[] {
  const perToken = kvBytesPerToken(d);
  const l1Gb = (l1PoolTokens * perToken) / 1e9;
  const fromKnees = hitCurveKnees(ctx).map((tokens) => tidyGb((tokens / d.replicas) * perToken / 1e9));
  // HiCache requires the host pool to exceed the device pool.
  const all = [...new Set([...ctx.space.l2CapacityGb, ...fromKnees])].filter((gb) => gb > l1Gb * 1.05).sort((a, b) => a - b);
  return all.slice(0, 4);
}

/** L3 capacities (GB, shared pool) worth simulating: the space's and the whole-cluster knee. */
export function l3Options(ctx: SearchContext, d: Deployment): number[] {
  const perToken = kvBytesPerToken(d);
  const knees = hitCurveKnees(ctx).map((t) => tidyGb((t * perToken) / 1e9));
  return [...new Set([...ctx.space.l3CapacityGb, ...knees.slice(-1)])].filter((gb) => gb > 0).sort((a, b) => a - b).slice(0, 3);
}

const cheaper = (a: Point, b: Point) =>
  a.costUsdPerHour - b.costUsdPerHour || Math.max(a.latency.ttftMs, 0) - Math.max(b.latency.ttftMs, 0) || (a.id < b.id ? -1 : 1);

/** The cheapest SLO-meeting point of a list. */
export function cheapest(points: readonly Point[]): Point | undefined {
  return [...points].filter((p) => p.sloMet).sort(cheaper)[0];
}

/**
 * Stage 3 for one stage-2 winner: L2 sizes, then L3 options on the best L2, then policy variants
 * on the best tier setup. Every walk starts from the winner's replica count.
 */
export function* tierSizing(ctx: SearchContext, base: Point, l1PoolTokens: number, capacityPerReplica: number): TrialGen<Point[]> {
  const points: Point[] = [];
  const d0 = base.deployment;
  const walk = function* (d: Deployment): TrialGen<Point | undefined> {
    const w: ReplicaWalk = yield* replicaWalk(ctx, d, d.replicas, 3, capacityPerReplica);
    points.push(...w.points);
    return w.best;
  };
  let best: Point = base;
  for (const gb of l2Options(ctx, d0, l1PoolTokens)) {
    const p = yield* walk(withChanges(d0, (x) => {
      x.kvCache = { ...x.kvCache, l2: { capacityGb: gb, media: "host_dram" } };
    }));
    if (p && cheaper(p, best) < 0) best = p;
  }
  const withL2 = best.deployment.kvCache.l2 ? best.deployment : undefined;
  if (withL2) {
    for (const media of ctx.space.l3Media) {
      for (const gb of l3Options(ctx, withL2)) {
        const p = yield* walk(withChanges(withL2, (x) => {
          x.kvCache = { ...x.kvCache, l3: { media, capacityGb: gb, shared: true } };
        }));
        if (p && cheaper(p, best) < 0) best = p;
      }
    }
  }
  if (best.deployment.kvCache.l2) {
    const tiered = best.deployment;
    const variants: Deployment[] = [];
    for (const e of ctx.space.evictionPolicies) if (e !== tiered.kvCache.evictionPolicy) variants.push(withChanges(tiered, (x) => void (x.kvCache.evictionPolicy = e)));
    for (const w of ctx.space.writePolicies) if (w !== tiered.kvCache.writePolicy) variants.push(withChanges(tiered, (x) => void (x.kvCache.writePolicy = w)));
    if (tiered.kvCache.l3) {
      for (const pf of ctx.space.prefetchPolicies) if (pf !== tiered.kvCache.prefetchPolicy) variants.push(withChanges(tiered, (x) => void (x.kvCache.prefetchPolicy = pf)));
    }
    for (const v of variants) {
      const p = yield* walk(v);
      if (p && cheaper(p, best) < 0) best = p;
    }
  }
  return points;
}
