/**
 * Token-length samplers for the workload specs' `<dist>`: fixed, uniform [lo, hi], lognormal by its
 * mean and log-sd, or resampled from a trace's lengths; `max` clips every kind. Results are
 * integers >= 1 (a request has at least one input and one output token).
 */
import { InputError } from "../../errors.js";
import type { LengthDist } from "../../config/types.js";
import type { Rng } from "../rng.js";

/** Draws one length, tokens. */
export type LengthSampler = () => number;

/**
 * A sampler for `dist` drawing from `rng`.
 * @param empirical the lengths of the `empirical` trace file (loaded at the edge); required for that kind
 */
export function lengthSampler(dist: LengthDist, rng: Rng, empirical?: Int32Array): LengthSampler {
  const max = dist.max ?? Number.MAX_SAFE_INTEGER;
  const clip = (x: number): number => Math.min(max, Math.max(1, x));
  if (dist.fixed !== undefined) {
    const v = clip(dist.fixed);
    return () => v;
  }
  if (dist.uniform !== undefined) {
    const [lo, hi] = dist.uniform;
    return () => clip(rng.intBetween(lo, hi));
  }
  if (dist.lognormal !== undefined) {
    const { mean, sigma } = dist.lognormal;
    // E[exp(N(mu, sigma^2))] = exp(mu + sigma^2/2), so this mu makes `mean` the distribution's mean.
    const mu = Math.log(mean) - (sigma * sigma) / 2;
    return () => clip(Math.round(Math.exp(mu + sigma * rng.normal())));
  }
  if (dist.empirical !== undefined) {
    if (!empirical || empirical.length === 0) {
      throw new InputError({ file: dist.empirical, message: "expected a trace with at least one request to resample lengths from" });
    }
    const n = empirical.length;
    return () => clip(empirical[rng.int(n)]);
  }
  throw new InputError("a length distribution needs one of fixed, uniform, lognormal, empirical");
}
