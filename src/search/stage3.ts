/**
 * Stage 3, KV tier sizing: for the best stage-2 candidates, L2 capacities at the knees of the
 * workload's hit-rate curve (and the space's sizes), then L3 media and capacities, then eviction /
 * prefetch / write policies, each time re-walking the replica count, because a tier costs money and
 * can save replicas or TTFT (SGLang HiCache: `python/sglang/srt/mem_cache/hiradix_cache.py`).
 */
import { resolveGpu, resolveModel } from "../catalog/index.js";
import type { Deployment } from "../config/types.js";
import { sloPressure } from "../results/pareto.js";
import type { Point } from "../results/point.js";
import { kvBytesPerTokenPerReplica } from "../sim/model/memory.js";
import { withChanges, withReplicas, type SearchContext } from "./context.js";
import type { TrialDriver, TrialGen } from "./driver.js";
import type { PointBook } from "./point-book.js";
import { walkDown } from "./replica-search.js";
import type { StageTracker } from "./stage-tracker.js";
import type { Stage2Result } from "./stage2.js";

/** How many stage-2 winners get KV-tier sizing. */
export const STAGE3_CANDIDATES = 2;

export const STAGE3_NAME = "KV tier sizing";

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
  // An L2 tier is the replica's share of its node's host memory (hostMemoryGbPerGpu x tp), no more.
  const hostGb = resolveGpu(d.gpu).hostMemoryGbPerGpu * d.tp;
  const all = [...new Set([...ctx.space.l2CapacityGb, ...fromKnees])].filter((gb) => gb > l1Gb * 1.05 && gb <= hostGb).sort((a, b) => a - b);
  return all.slice(0, 4);
}

/** L3 capacities (GB, shared pool) worth simulating: the space's and the whole-cluster knee. */
export function l3Options(ctx: SearchContext, d: Deployment): number[] {
  const perToken = kvBytesPerToken(d);
  const knees = hitCurveKnees(ctx).map((t) => tidyGb((t * perToken) / 1e9));
  return [...new Set([...ctx.space.l3CapacityGb, ...knees.slice(-1)])].filter((gb) => gb > 0).sort((a, b) => a - b).slice(0, 3);
}

/** Better of two tier setups: lower cost, then (at equal cost) lower SLO pressure, then id. */
export function betterTier(ctx: SearchContext, a: Point, b: Point): boolean {
  const c = a.costUsdPerHour - b.costUsdPerHour || sloPressure(a, ctx.targets) - sloPressure(b, ctx.targets);
  return c !== 0 ? c < 0 : a.id < b.id;
}

/**
 * Stage 3 for one stage-2 winner. Each option is walked from the winner's replica count down
 * (walkDown): a tier pays by saving replicas or, at equal cost, latency; it never pays by adding
 * replicas. L2 sizes first; then every L3 medium and size on its own merit, on top of the best L2
 * (HiCache's storage tier sits behind host memory, so an L3 always comes with an L2: the smallest
 * L2 option when no L2 size paid on its own); then, where a tier is kept, the eviction, write and
 * prefetch policy variants. A setup stays when it is better than the best so far (`betterTier`).
 */
export function* tierSizing(ctx: SearchContext, book: PointBook, base: Point, l1PoolTokens: number): TrialGen<Point[]> {
  const points: Point[] = [];
  const d0 = base.deployment;
  const R = d0.replicas;
  const walk = function* (d: Deployment): TrialGen<Point | undefined> {
    const w = yield* walkDown(ctx, book, 3, d, R);
    points.push(...w.points);
    return w.best;
  };
  let best: Point = base;
  const l2Sizes = l2Options(ctx, d0, l1PoolTokens);
  for (const gb of l2Sizes) {
    const p = yield* walk(withChanges(d0, (x) => {
      x.kvCache = { ...x.kvCache, l2: { capacityGb: gb, media: "host_dram" } };
    }));
    if (p && betterTier(ctx, p, best)) best = p;
  }
  const l2Base = best.deployment.kvCache.l2 ? best.deployment
    : l2Sizes.length > 0 ? withChanges(d0, (x) => void (x.kvCache = { ...x.kvCache, l2: { capacityGb: l2Sizes[0], media: "host_dram" } })) : undefined;
  if (l2Base) {
    for (const media of ctx.space.l3Media) {
      for (const gb of l3Options(ctx, l2Base)) {
        const p = yield* walk(withChanges(l2Base, (x) => {
          x.kvCache = { ...x.kvCache, l3: { media, capacityGb: gb, shared: true } };
        }));
        if (p && betterTier(ctx, p, best)) best = p;
      }
    }
  }
  if (best.deployment.kvCache.l2) {
    const tiered = withReplicas(best.deployment, R);
    const variants: Deployment[] = [];
    for (const e of ctx.space.evictionPolicies) if (e !== (tiered.kvCache.evictionPolicy ?? "lru")) variants.push(withChanges(tiered, (x) => void (x.kvCache.evictionPolicy = e)));
    for (const w of ctx.space.writePolicies) if (w !== (tiered.kvCache.writePolicy ?? "write_through")) variants.push(withChanges(tiered, (x) => void (x.kvCache.writePolicy = w)));
    if (tiered.kvCache.l3) {
      for (const pf of ctx.space.prefetchPolicies) if (pf !== (tiered.kvCache.prefetchPolicy ?? "best_effort")) variants.push(withChanges(tiered, (x) => void (x.kvCache.prefetchPolicy = pf)));
    }
    for (const v of variants) {
      const p = yield* walk(v);
      if (p && betterTier(ctx, p, best)) best = p;
    }
  }
  return points;
}

/**
 * Runs stage 3 when the space has KV tiers: the cheapest SLO-meeting point of each stage-2
 * candidate, cheapest candidates first, the best `STAGE3_CANDIDATES` of them sized. Returns the
 * points it evaluated.
 */
export async function runStage3(ctx: SearchContext, driver: TrialDriver, book: PointBook, s2: Stage2Result, stages: StageTracker): Promise<Point[]> {
  const hasTiers = ctx.space.l2CapacityGb.length > 0 || ctx.space.l3Media.length > 0;
  if (!hasTiers || driver.cut) return [];
  const winners = s2.results.filter((r) => r.best).map((r) => ({ p: r.best!, c: r.candidate }));
  winners.sort((a, b) => a.p.costUsdPerHour - b.p.costUsdPerHour || sloPressure(a.p, ctx.targets) - sloPressure(b.p, ctx.targets) || (a.p.id < b.p.id ? -1 : 1));
  const chosen = winners.slice(0, STAGE3_CANDIDATES);
  if (chosen.length === 0) return [];
  stages.begin(3, STAGE3_NAME, chosen.length * 12);
  const tiers = await driver.runAll(chosen.map((w) => tierSizing(ctx, book, w.p, w.c.kvPoolTokens)));
  stages.end(3, STAGE3_NAME);
  return tiers.flat();
}
