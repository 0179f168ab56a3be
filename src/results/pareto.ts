/**
 * The Pareto frontier of evaluated deployments and the recommended one.
 *
 * Objectives, among points that meet the SLO (`sloMet`):
 * - **latency, down**: the *SLO pressure*, `max over targets of latency / target` (TTFT, TPOT and,
 *   when targeted, E2E, each at its SLO percentile at the demanded load). It is dimensionless, <= 1
 *   for a point that meets the SLO, and is the number an inference engineer reads as "how close is
 *   the binding latency target": 0.8 means 20% headroom on the tightest one. A single scalar keeps
 *   the frontier three-dimensional as the spec asks; using (TTFT, TPOT) as two objectives makes
 *   it four-dimensional, and then nearly every point is non-dominated.
 * - **capacity, up**: `capacityRps`, the highest rate the deployment sustains within the SLO.
 * - **cost, down**: `costUsdPerHour`. Not `usdPerMillionTokens`: that is cost divided by delivered
 *   throughput, so pairing it with capacity would count throughput twice.
 *
 * Point `a` dominates `b` when it is no worse on all three and strictly better on one. Exact
 * comparisons: points with identical objectives do not dominate each other and are all kept.
 * O(n²), which is fine for the few hundred to few thousand points a search evaluates.
 */
import type { Point, SloTargets } from "./point.js";

/**
 * SLO pressure of a point: the largest ratio of a latency (at its SLO percentile) to its target.
 * 1 = exactly at the binding target; below 1 = headroom. E2E counts only when both the target and
 * the point's `e2eMs` exist.
 */
export function sloPressure(p: Point, targets: SloTargets): number {
  let r = Math.max(p.latency.ttftMs / targets.ttftMs.max, p.latency.tpotMs / targets.tpotMs.max);
  if (targets.e2eMs && p.latency.e2eMs !== undefined) r = Math.max(r, p.latency.e2eMs / targets.e2eMs.max);
  return r;
}

/** Which latency target binds (has the highest latency / target ratio). Ties go TTFT, TPOT, E2E. */
export function bindingTarget(p: Point, targets: SloTargets): "ttftMs" | "tpotMs" | "e2eMs" {
  const t = p.latency.ttftMs / targets.ttftMs.max;
  const o = p.latency.tpotMs / targets.tpotMs.max;
  const e = targets.e2eMs && p.latency.e2eMs !== undefined ? p.latency.e2eMs / targets.e2eMs.max : -Infinity;
  if (t >= o && t >= e) return "ttftMs";
  return o >= e ? "tpotMs" : "e2eMs";
}

interface Objectives {
  latency: number;
  capacity: number;
  cost: number;
}

function objectivesOf(p: Point, targets: SloTargets): Objectives {
  return { latency: sloPressure(p, targets), capacity: p.capacityRps, cost: p.costUsdPerHour };
}

function dominatesObj(a: Objectives, b: Objectives): boolean {
  return (
    a.latency <= b.latency &&
    a.capacity >= b.capacity &&
    a.cost <= b.cost &&
    (a.latency < b.latency || a.capacity > b.capacity || a.cost < b.cost)
  );
}

/** True when `a` dominates `b` over (SLO pressure down, capacity up, cost per hour down). */
export function dominates(a: Point, b: Point, targets: SloTargets): boolean {
  return dominatesObj(objectivesOf(a, targets), objectivesOf(b, targets));
}

const byId = (a: Point, b: Point): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Orders points by cost per hour, then SLO pressure, then id: the frontier's fixed output order,
 * independent of the input order.
 */
export function compareByCostThenLatency(targets: SloTargets): (a: Point, b: Point) => number {
  return (a, b) =>
    a.costUsdPerHour - b.costUsdPerHour || sloPressure(a, targets) - sloPressure(b, targets) || byId(a, b);
}

/**
 * The non-dominated set among `sloMet` points, ordered by cost per hour, SLO pressure, id.
 * Input order does not matter. Points with a non-finite objective are left out.
 */
export function paretoFrontier(points: readonly Point[], targets: SloTargets): Point[] {
  const cands = points
    .filter((p) => p.sloMet)
    .map((p) => ({ p, o: objectivesOf(p, targets) }))
    .filter(({ o }) => Number.isFinite(o.latency) && Number.isFinite(o.capacity) && Number.isFinite(o.cost));
  const keep = cands.filter((c) => !cands.some((d) => d !== c && dominatesObj(d.o, c.o)));
  return keep.map((c) => c.p).sort(compareByCostThenLatency(targets));
}

/**
 * The recommended deployment: the lowest `costUsdPerHour` among points that meet every target;
 * ties go to the lower latency (SLO pressure when `targets` is given, else TTFT then TPOT), then
 * to the higher capacity (so the pick is always on the frontier), then to the smaller id.
 * Null when no point meets the SLO.
 */
export function recommend(points: readonly Point[], targets?: SloTargets): Point | null {
  const latencyCmp = (a: Point, b: Point): number =>
    targets
      ? sloPressure(a, targets) - sloPressure(b, targets)
      : a.latency.ttftMs - b.latency.ttftMs || a.latency.tpotMs - b.latency.tpotMs;
  let best: Point | null = null;
  for (const p of points) {
    if (!p.sloMet || !Number.isFinite(p.costUsdPerHour)) continue;
    if (best === null) {
      best = p;
      continue;
    }
    const c = p.costUsdPerHour - best.costUsdPerHour || latencyCmp(p, best) || best.capacityRps - p.capacityRps || byId(p, best);
    if (c < 0) best = p;
  }
  return best;
}

/**
 * When nothing meets the SLO: the `n` points that miss it by the least, by SLO pressure (the
 * relative overshoot of the binding latency target), then by how far capacity falls short of
 * `minThroughputRps`, then cost, then id.
 */
export function closestMisses(points: readonly Point[], targets: SloTargets, n = 5): Point[] {
  const shortfall = (p: Point): number =>
    targets.minThroughputRps ? Math.max(0, 1 - p.capacityRps / targets.minThroughputRps) : 0;
  const key = (p: Point): number => {
    const v = Math.max(sloPressure(p, targets), 1 + shortfall(p));
    return Number.isFinite(v) ? v : Number.MAX_VALUE;
  };
  return points
    .filter((p) => !p.sloMet)
    .sort((a, b) => key(a) - key(b) || a.costUsdPerHour - b.costUsdPerHour || byId(a, b))
    .slice(0, n);
}
