/**
 * Measured capacity of one exact cluster (its replicas, router and tiers): the highest offered
 * rate, to 2.5%, at which it meets every target on every workload the run judges it on: the search
 * seed's window and each confirmation seed's full workload (each rescaled to exactly the rate
 * probed). Vidur-style bisection, gated on the SLO percentiles instead of scheduling delay, with
 * each next probe interpolated on the SLO pressure (the highest latency / target ratio), which
 * crosses 1 at the capacity.
 *
 * Two phases keep it cheap: the bracket is first narrowed on the search seed alone (one simulation
 * per probe); then the confirmation seeds are checked at its top. When they all meet the targets
 * there, that is the capacity (the search seed already misses one step above). When one does not,
 * the rate gallops down from there and the last step is bisected on the confirmation seeds, the one
 * closest to missing run first.
 */
import type { Deployment } from "../config/types.js";
import type { SloTargets } from "../results/point.js";
import type { TrialResult, TrialTask } from "../runner/trial.js";
import { targetMetrics } from "../runner/verdict.js";
import { confirmTrial, trialAt, type SearchContext } from "./context.js";
import { all, one, type TrialGen } from "./driver.js";

/** Relative resolution of a capacity: the bracket (met, missed) is at most this wide. */
export const RATE_RESOLUTION = 0.025;
/** Probes of one phase at most (the bracket is then whatever it reached). */
const MAX_PROBES = 8;

/** Highest latency / target ratio of a trial (a lower bound after an early stop). */
export function trialPressure(r: TrialResult, t: SloTargets): number {
  let x = 0;
  for (const m of targetMetrics(t)) {
    const v = r.latency[m];
    if (v !== undefined) x = Math.max(x, v / t[m]!.max);
  }
  return x;
}

export interface CapacityMeasure {
  /** Highest rate met (the capacity), req/s. */
  okRps: number;
  /** The SLO was still met at the highest rate probed (`ctx.maxProbeRps`): the capacity is at least `okRps`. */
  atLeast: boolean;
  /** Lowest rate seen missed above it, req/s (Infinity when none was found within the probes). */
  badRps: number;
  /** Rates probed. */
  probes: number;
  /** A trial was not run (--max-runs): the measurement is incomplete. */
  capped: boolean;
}

/**
 * The measurement puts the deployment at the edge of the planned rate: it misses one resolution
 * step above it (its capacity is the plan itself, to 2.5%). A percentile moves by more than that
 * between seeds, so such a deployment is not confirmed (confirm.ts).
 */
export function atTheEdge(planRps: number, m: Pick<CapacityMeasure, "okRps" | "atLeast">): boolean {
  return !m.atLeast && m.okRps < planRps * (1 + RATE_RESOLUTION) * (1 - 1e-9);
}

/** A rate known to be met, with the highest pressure seen there. */
interface Seen {
  rate: number;
  pressure: number;
}

/**
 * The rate at which the pressure crosses 1, by the line through the two highest rates met
 * (pressure grows with the rate below capacity; the TPOT target, set by the decode batch, grows
 * about linearly), or undefined when they do not slope up.
 */
function extrapolate(a: Seen | undefined, b: Seen): number | undefined {
  if (!a || b.pressure <= a.pressure || b.rate <= a.rate) return undefined;
  return b.rate + ((1 - b.pressure) * (b.rate - a.rate)) / (b.pressure - a.pressure);
}

/** One probe's outcome: met on every run, the highest pressure, or cut. */
interface ProbeOutcome {
  met: boolean;
  pressure: number;
  capped: boolean;
}

/**
 * Bisection of the highest rate `probe` meets, from `ok` (met) and `bad` (missed; Infinity = none
 * yet) to RATE_RESOLUTION. Probes go up from the pressure seen at `ok` (pressure p: guessed to reach
 * 1 near rate / p), then, once a rate is missed, where the line through the two highest rates met
 * crosses pressure 1 (kept inside the middle half of the bracket in log rate, so it always shrinks
 * geometrically; its middle when there is no such line). Misses stop early, so their pressures are
 * only lower bounds and are not used.
 */
function* bisect(ctx: SearchContext, start: Seen, startBad: number, probe: (rate: number) => TrialGen<ProbeOutcome>): TrialGen<CapacityMeasure> {
  let prev: Seen | undefined;
  let ok = start;
  let bad = startBad;
  let probes = 0;
  const nextRate = (): number => {
    const line = extrapolate(prev, ok);
    if (bad === Infinity) {
      const aim = line ?? (ok.pressure > 0 ? ok.rate / ok.pressure : 2 * ok.rate);
      return Math.min(ctx.maxProbeRps, 2 * ok.rate, Math.max(1.1 * ok.rate, aim));
    }
    // Close enough to finish with one probe: the geometric middle leaves a bracket within the
    // resolution whichever way it goes (1 - sqrt(1 - 0.049) < 0.025).
    if ((bad - ok.rate) / bad <= 0.049) return Math.sqrt(ok.rate * bad);
    const lo = Math.log(ok.rate);
    const hi = Math.log(bad);
    const f = line !== undefined && line > ok.rate ? Math.min(0.75, Math.max(0.25, (Math.log(line) - lo) / (hi - lo))) : 0.5;
    return Math.exp(lo + f * (hi - lo));
  };
  while (probes < MAX_PROBES) {
    // (1e-9: a step of exactly the resolution, as the gallop down takes, counts as within it.)
    if (bad < Infinity && (bad - ok.rate) / bad <= RATE_RESOLUTION + 1e-9) break;
    if (bad === Infinity && ok.rate >= ctx.maxProbeRps) break;
    const rate = nextRate();
    probes++;
    const o = yield* probe(rate);
    if (o.capped) return { okRps: ok.rate, atLeast: false, badRps: bad, probes, capped: true };
    if (o.met) {
      prev = ok;
      ok = { rate, pressure: o.pressure };
    } else {
      bad = rate;
    }
  }
  return { okRps: ok.rate, atLeast: bad === Infinity, badRps: bad, probes, capped: false };
}

/**
 * Runs `runs(rate)` one at a time, the one closest to missing first (by `pressure`, updated), and
 * stops at the first miss: a miss usually costs one early-stopped simulation.
 */
function* weakestFirst(runs: readonly ((rate: number) => TrialTask)[], pressure: number[], t: SloTargets, rate: number): TrialGen<ProbeOutcome> {
  const order = runs.map((_, i) => i).sort((a, b) => pressure[b] - pressure[a] || a - b);
  const first = yield* one(runs[order[0]](rate));
  const rs = [first];
  if (!first.capped && first.fits && first.sloMet) rs.push(...(yield* all(order.slice(1).map((i) => runs[i](rate)))));
  rs.forEach((r, k) => (pressure[order[k]] = trialPressure(r, t)));
  return {
    capped: rs.some((r) => r.capped),
    met: rs.length === runs.length && rs.every((r) => r.fits && r.sloMet),
    pressure: Math.max(...rs.map((r) => trialPressure(r, t))),
  };
}

/**
 * Measures the capacity of `d`, known to meet the SLO at `okRps` on every confirmation seed (their
 * runs there: `atOkConfirm`) and, when `atOkSearch` is given, on the search seed (its trial there).
 */
export function* measureCapacity(
  ctx: SearchContext, d: Deployment, okRps: number, atOkSearch: TrialResult | undefined, atOkConfirm: readonly TrialResult[],
): TrialGen<CapacityMeasure> {
  const t = ctx.targets;
  const search = (rate: number) => trialAt(ctx, d, rate);
  const confirms = ctx.capacitySeeds.map((s) => (rate: number) => confirmTrial(ctx, d, s, rate));
  // The extra capacity seeds have not run yet: tried after the confirmation seeds at first.
  const pressure = ctx.capacitySeeds.map((_, i) => (i < atOkConfirm.length ? trialPressure(atOkConfirm[i], t) : 0));
  if (!atOkSearch) {
    // Not met on the search seed: the confirmation seeds alone decide.
    return yield* bisect(ctx, { rate: okRps, pressure: Math.max(...pressure) }, Infinity, (rate) => weakestFirst(confirms, pressure, t, rate));
  }
  // Phase 1: the search seed alone.
  const searchOnly = function* (rate: number): TrialGen<ProbeOutcome> {
    const r = yield* one(search(rate));
    return { capped: Boolean(r.capped), met: r.fits && r.sloMet, pressure: trialPressure(r, t) };
  };
  const p1 = yield* bisect(ctx, { rate: okRps, pressure: trialPressure(atOkSearch, t) }, Infinity, searchOnly);
  if (p1.capped || p1.okRps <= okRps) return p1;
  // Phase 2: the confirmation seeds at phase 1's capacity.
  const check = yield* weakestFirst(confirms, pressure, t, p1.okRps);
  let probes = p1.probes + 1;
  if (check.capped) return { ...p1, probes, capped: true };
  if (check.met) return { ...p1, probes };
  // A confirmation seed misses there. Their capacity is usually a little lower: gallop down from
  // it (2.5%, 5%, 10%, ... below), then bisect the last step. The search seed met every target at
  // phase 1's capacity, so it is taken to meet them below it too.
  let bad = p1.okRps;
  let ok = okRps;
  for (let k = 0; probes < 2 * MAX_PROBES; k++) {
    const rate = p1.okRps * (1 - RATE_RESOLUTION * 2 ** k);
    if (rate <= okRps) break;
    probes++;
    const o = yield* weakestFirst(confirms, pressure, t, rate);
    if (o.capped) return { okRps: ok, atLeast: false, badRps: bad, probes, capped: true };
    if (o.met) {
      ok = rate;
      break;
    }
    bad = rate;
  }
  const p2 = yield* bisect(ctx, { rate: ok, pressure: 1 }, bad, (rate) => weakestFirst(confirms, pressure, t, rate));
  return { ...p2, probes: probes + p2.probes };
}
