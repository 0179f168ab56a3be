/**
 * Stage 2's first step for one stage-1 candidate: how many replicas its share of the demand needs
 * and what one replica sustains within the SLO, from single-replica simulations (routing does not
 * matter yet, so one replica stands for its share of the cluster). A resumable generator (driver.ts).
 */
import type { TrialResult } from "../runner/trial.js";
import { maxTrialRate, replicaLimit, trialAt, withChanges, type SearchContext } from "./context.js";
import type { TrialGen } from "./driver.js";
import type { Stage1Candidate } from "./stage1.js";

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

