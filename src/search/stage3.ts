/**
 * Stage 3, KV tier sizing: for the best stage-2 candidates, L2 capacities (tier-options.ts), then
 * L3 media and capacities, then eviction / prefetch / write policies, each time re-walking the
 * replica count, because a tier costs money (the price list's host memory and media prices) and can
 * save replicas or TTFT (SGLang HiCache: `python/sglang/srt/mem_cache/hiradix_cache.py`).
 */
import type { Deployment } from "../config/types.js";
import { fmtTiers } from "../report/format.js";
import type { TierTrial } from "../results/frontier-file.js";
import { sloPressure } from "../results/pareto.js";
import type { Point } from "../results/point.js";
import { withChanges, withReplicas, type SearchContext } from "./context.js";
import type { TrialDriver, TrialGen } from "./driver.js";
import type { PointBook } from "./point-book.js";
import { walkDown } from "./replica-search.js";
import type { StageTracker } from "./stage-tracker.js";
import type { Stage2Result } from "./stage2.js";
import { l2Options, l3Options, MIN_L3_HIT_GAIN } from "./tier-options.js";

/** How many stage-2 winners get KV-tier sizing. */
export const STAGE3_CANDIDATES = 2;

export const STAGE3_NAME = "KV tier sizing";

/** `a` is a better tier setup than `b`: lower cost, or at equal cost lower SLO pressure (a tie keeps `b`). */
export function betterTier(ctx: SearchContext, a: Point, b: Point): boolean {
  return (a.costUsdPerHour - b.costUsdPerHour || sloPressure(a, ctx.targets) - sloPressure(b, ctx.targets)) < 0;
}

/** A tier option's description: "L2 512 GB + L3 nvme 2 TB (lfu, best_effort, write_through)". */
function optionName(d: Deployment): string {
  return fmtTiers(d);
}

/**
 * Stage 3 for one stage-2 winner. Each option is walked from the winner's replica count down
 * (walkDown): a tier pays by saving replicas or, at equal cost, latency; it never pays by adding
 * replicas. L2 sizes first; then every L3 medium and size on its own merit, on top of the best L2
 * (HiCache's storage tier sits behind host memory, so an L3 always comes with an L2: the smallest
 * L2 option when no L2 size paid on its own), unless the hit curve says it adds almost no prefix
 * hits; then, where a tier is kept, the eviction, write and prefetch policy variants. A setup stays
 * when it is better than the best so far (`betterTier`). Every option's outcome is recorded.
 */
export function* tierSizing(ctx: SearchContext, book: PointBook, base: Point, l1PoolTokens: number): TrialGen<TierTrial[]> {
  const out: TierTrial[] = [];
  const d0 = base.deployment;
  const R = d0.replicas;
  let best: Point = base;
  const tryOption = function* (d: Deployment): TrialGen<void> {
    const w = yield* walkDown(ctx, book, 3, d, R);
    const p = w.best;
    const kept = p !== undefined && betterTier(ctx, p, best);
    out.push({
      baseId: base.id, option: optionName(d), outcome: !p ? "misses" : kept ? "kept" : "no gain",
      ...(p ? { pointId: p.id, replicas: p.deployment.replicas, costUsdPerHour: p.costUsdPerHour, ttftMs: p.latency.ttftMs } : {}),
      ...(!p && w.points[0]?.note ? { reason: w.points[0].note } : {}),
    });
    if (p && kept) best = p;
  };
  const l2Sizes = l2Options(ctx, d0, l1PoolTokens);
  for (const gb of l2Sizes) {
    yield* tryOption(withChanges(d0, (x) => {
      x.kvCache = { ...x.kvCache, l2: { capacityGb: gb, media: "host_dram" } };
    }));
  }
  const l2Base = best.deployment.kvCache.l2 ? withReplicas(best.deployment, R)
    : l2Sizes.length > 0 ? withChanges(d0, (x) => void (x.kvCache = { ...x.kvCache, l2: { capacityGb: l2Sizes[0], media: "host_dram" } })) : undefined;
  if (l2Base) {
    for (const media of ctx.space.l3Media) {
      for (const o of l3Options(ctx, l2Base, l1PoolTokens, media)) {
        const d = withChanges(l2Base, (x) => {
          x.kvCache = { ...x.kvCache, l3: { media, capacityGb: o.capacityGb, shared: true } };
        });
        if (o.hitGain < MIN_L3_HIT_GAIN) {
          out.push({ baseId: base.id, option: optionName(d), outcome: "skipped", reason: `the hit curve gives it ${(o.hitGain * 100).toFixed(1)}% more prefix hits than L1 + L2` });
          continue;
        }
        yield* tryOption(d);
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
    for (const v of variants) yield* tryOption(v);
  }
  return out;
}

/**
 * Runs stage 3 when the space has KV tiers: the cheapest SLO-meeting point of each stage-2
 * candidate, cheapest candidates first, the best `STAGE3_CANDIDATES` of them sized. Returns what
 * each option did.
 */
export async function runStage3(ctx: SearchContext, driver: TrialDriver, book: PointBook, s2: Stage2Result, stages: StageTracker): Promise<TierTrial[]> {
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
