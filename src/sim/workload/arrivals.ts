/** Inter-arrival gaps of the open-loop arrival processes. */
import type { Rng } from "../rng.js";

export type ArrivalProcess = "poisson" | "gamma" | "constant";

/**
 * A sampler of gaps between arrivals, µs.
 * - `poisson`: exponential gaps with mean 1/rate.
 * - `gamma`: Gamma(shape 1/cv², scale cv²/rate) gaps: mean 1/rate, coefficient of variation `cv`
 *   (cv > 1 is burstier than Poisson, cv < 1 smoother, cv = 1 is Poisson).
 * - `constant`: exactly 1/rate.
 * @param ratePerS mean arrivals per second (> 0)
 */
export function gapSamplerUs(process: ArrivalProcess, ratePerS: number, rng: Rng, cv = 1): () => number {
  const meanUs = 1e6 / ratePerS;
  if (process === "constant") return () => meanUs;
  if (process === "poisson") return () => rng.exponential(meanUs);
  const shape = 1 / (cv * cv);
  const scale = meanUs * cv * cv;
  return () => rng.gamma(shape, scale);
}
