/**
 * The replica count of one deployment (its router and tiers fixed) at the planned demand, on
 * cluster simulations: the fewest replicas that meet every target (stage 2), or a short walk down
 * from a known count (stage 3's tier variants, the confirmation stage's step up). Resumable
 * generators (driver.ts); every evaluated cluster becomes a point in the book.
 */
import { resolveGpu } from "../catalog/index.js";
import { nodeBoundIssues } from "../catalog/node-bounds.js";
import type { Deployment } from "../config/types.js";
import type { Point } from "../results/point.js";
import { constraintScope, lookupGpu } from "./constraints/scope.js";
import { replicaLimit, trialAt, withReplicas, type SearchContext } from "./context.js";
import { one, type TrialGen } from "./driver.js";
import type { PointBook } from "./point-book.js";

export interface ReplicaSearch {
  /** Points evaluated, in evaluation order. */
  points: Point[];
  /** The fewest replicas found to meet the SLO, or undefined. */
  best?: Point;
  /** A trial was cut by --max-runs. */
  capped: boolean;
}

/**
 * Whether the search may evaluate `d`: the space's constraints allow it and its KV tiers fit its
 * nodes (a shared NVMe pool, say, fits the drives of so many replicas and not of fewer).
 */
export function searchable(ctx: SearchContext, d: Deployment): boolean {
  return ctx.constraints.allows(constraintScope(d, lookupGpu(d.gpu, ctx.prices))) && nodeBoundIssues(d, resolveGpu(d.gpu)).length === 0;
}

/** Evaluates `d` with `n` replicas at the planned demand (undefined when it is not `searchable` or it was cut). */
function* clusterAt(ctx: SearchContext, book: PointBook, stage: 2 | 3, d: Deployment, n: number, out: ReplicaSearch): TrialGen<Point | undefined> {
  const dn = withReplicas(d, n);
  if (!searchable(ctx, dn)) return undefined;
  const r = yield* one(trialAt(ctx, dn, ctx.planRps));
  if (r.capped) {
    out.capped = true;
    return undefined;
  }
  const p = book.add(stage, dn, r)!;
  out.points.push(p);
  return p;
}

/**
 * Fewest replicas of `d` that meet every target at the planned demand, starting from the estimate
 * `start`: galloping down while it meets them (1, 2, 4 fewer), or up by half while it misses, then
 * bisecting the bracket. It does not go up past `maxCostUsdPerHour` (a cluster that costs more is
 * not worth knowing).
 */
export function* fewestReplicas(
  ctx: SearchContext, book: PointBook, stage: 2 | 3, d: Deployment, start: number, maxCostUsdPerHour = Infinity,
): TrialGen<ReplicaSearch> {
  const perReplica = book.costPerReplica(d);
  const limit = Math.min(replicaLimit(ctx, d), Math.max(1, start, Math.floor(maxCostUsdPerHour / perReplica + 1e-9)));
  const out: ReplicaSearch = { points: [], capped: false };
  const met = new Map<number, Point>();
  const passes = function* (n: number): TrialGen<boolean> {
    const p = yield* clusterAt(ctx, book, stage, d, n, out);
    if (p?.sloMet) met.set(n, p);
    return Boolean(p?.sloMet);
  };
  let lo = 0; // most replicas known to miss (0: none)
  let hi = 0; // fewest replicas known to meet (0: none)
  const n0 = Math.min(limit, Math.max(1, start));
  if (yield* passes(n0)) {
    hi = n0;
    for (let step = 1; hi > 1 && lo === 0 && !out.capped; step *= 2) {
      const n = Math.max(1, hi - step);
      if (yield* passes(n)) hi = n;
      else lo = n;
    }
  } else {
    lo = n0;
    while (hi === 0 && lo < limit && !out.capped) {
      const n = Math.min(limit, Math.max(lo + 1, Math.ceil(lo * 1.5)));
      if (yield* passes(n)) hi = n;
      else lo = n;
    }
  }
  while (hi > 0 && hi - lo > 1 && !out.capped) {
    const m = (lo + hi) >> 1;
    if (yield* passes(m)) hi = m;
    else lo = m;
  }
  if (hi > 0) out.best = met.get(hi);
  return out;
}

/**
 * Walks `d` down from `n` replicas at the planned demand: `n` first (same cost, other latency),
 * then one fewer at a time while it keeps meeting the SLO (up to `maxSteps`). Used where a change
 * (a router, a KV tier) can only pay by saving replicas or latency, never by adding replicas.
 */
export function* walkDown(ctx: SearchContext, book: PointBook, stage: 2 | 3, d: Deployment, n: number, maxSteps = 2): TrialGen<ReplicaSearch> {
  const out: ReplicaSearch = { points: [], capped: false };
  let k = Math.min(replicaLimit(ctx, d), n);
  const first = yield* clusterAt(ctx, book, stage, d, k, out);
  if (!first?.sloMet) return out;
  out.best = first;
  for (let i = 0; i < maxSteps && k > 1 && !out.capped; i++) {
    const p = yield* clusterAt(ctx, book, stage, d, k - 1, out);
    if (!p?.sloMet) break;
    out.best = p;
    k--;
  }
  return out;
}

/** Evaluates `d` with `n` replicas (no walk): the confirmation stage's step up after a failure. */
export function* clusterPoint(ctx: SearchContext, book: PointBook, stage: 2 | 3, d: Deployment, n: number): TrialGen<Point | undefined> {
  const out: ReplicaSearch = { points: [], capped: false };
  return yield* clusterAt(ctx, book, stage, d, n, out);
}
