/**
 * Measured capacity of one exact cluster (its replicas, router and tiers): the highest offered
 * rate, to 2.5%, at which it meets every target on the full workload of every confirmation seed
 * (each rescaled to exactly the rate probed). Vidur-style bisection, gated on the SLO percentiles
 * instead of scheduling delay, with each next probe interpolated on the SLO pressure (the highest
 * latency / target ratio), which crosses 1 at the capacity.
 */
import type { Deployment } from "../config/types.js";
import type { SloTargets } from "../results/point.js";
import type { TrialResult } from "../runner/trial.js";
import { targetMetrics } from "../runner/verdict.js";
import { confirmTrial, type SearchContext } from "./context.js";
import { all, one, type TrialGen } from "./driver.js";

/** Relative resolution of a capacity: the bracket (met, missed) is at most this wide. */
export const RATE_RESOLUTION = 0.025;
/** Probes of one capacity measurement at most (the bracket is then whatever it reached). */
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
  probes: number;
  /** A trial was not run (--max-runs): the measurement is incomplete. */
  capped: boolean;
}

/** Probes of one seed's rate: the point that passed at the highest rate, its pressure. */
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

/**
 * Measures the capacity of `d`, known to meet the SLO at `okRps` on every confirmation seed (their
 * runs there: `atOk`). A rate is met when every confirmation seed's full workload meets every target
 * at it, so the stated capacity holds beyond the one workload the search used. Each probe runs the
 * seed that was closest to missing first and the others only if it passes (a miss usually costs one
 * early-stopped run). Probes go up from the pressure seen at `okRps` (the highest latency / target
 * ratio: a point at pressure p is guessed to reach 1 near rate / p), then, once a rate is missed,
 * where the line through the two highest rates met crosses pressure 1 (kept inside the middle half
 * of the bracket in log rate, so the bracket always shrinks geometrically; its middle when there is
 * no such line). Misses stop early, so their pressures are only lower bounds and are not used.
 */
export function* measureCapacity(ctx: SearchContext, d: Deployment, okRps: number, atOk: readonly TrialResult[]): TrialGen<CapacityMeasure> {
  const t = ctx.targets;
  const seeds = ctx.confirmSeeds;
  const seedPressure = atOk.map((r) => trialPressure(r, t));
  let prev: Seen | undefined;
  let ok: Seen = { rate: okRps, pressure: Math.max(...seedPressure) };
  let bad = Infinity;
  let probes = 0;
  let next = ok.rate * Math.min(2, Math.max(1.1, ok.pressure > 0 ? 1 / ok.pressure : 2));
  while (probes < MAX_PROBES) {
    if (bad < Infinity && (bad - ok.rate) / bad <= RATE_RESOLUTION) break;
    if (bad === Infinity && ok.rate >= ctx.maxProbeRps) return { okRps: ok.rate, atLeast: true, badRps: bad, probes, capped: false };
    const rate = Math.min(next, ctx.maxProbeRps);
    probes++;
    // The seed closest to missing first (ties: the earlier seed).
    const order = seeds.map((_, i) => i).sort((a, b) => seedPressure[b] - seedPressure[a] || a - b);
    const first = yield* one(confirmTrial(ctx, d, seeds[order[0]], rate));
    let rs: TrialResult[] = [first];
    if (!first.capped && first.fits && first.sloMet) rs = [first, ...(yield* all(order.slice(1).map((i) => confirmTrial(ctx, d, seeds[i], rate))))];
    if (rs.some((r) => r.capped)) return { okRps: ok.rate, atLeast: false, badRps: bad, probes, capped: true };
    rs.forEach((r, k) => (seedPressure[order[k]] = trialPressure(r, t)));
    if (rs.length === seeds.length && rs.every((r) => r.fits && r.sloMet)) {
      prev = ok;
      ok = { rate, pressure: Math.max(...rs.map((r) => trialPressure(r, t))) };
    } else {
      bad = rate;
    }
    const line = extrapolate(prev, ok);
    if (bad === Infinity) {
      // Still met: aim where the pressure reaches 1, at least +10% and at most x2.
      const aim = line ?? (ok.pressure > 0 ? ok.rate / ok.pressure : 2 * ok.rate);
      next = Math.min(2 * ok.rate, Math.max(1.1 * ok.rate, aim));
      continue;
    }
    const lo = Math.log(ok.rate);
    const hi = Math.log(bad);
    const f = line !== undefined && line > ok.rate ? Math.min(0.75, Math.max(0.25, (Math.log(line) - lo) / (hi - lo))) : 0.5;
    next = Math.exp(lo + f * (hi - lo));
    // Close enough to finish with one probe: the geometric middle leaves a bracket within the
    // resolution whichever way it goes (1 - sqrt(1 - 0.049) < 0.025).
    if ((bad - ok.rate) / bad <= 0.049) next = Math.sqrt(ok.rate * bad);
  }
  return { okRps: ok.rate, atLeast: bad === Infinity, badRps: bad, probes, capped: false };
}
