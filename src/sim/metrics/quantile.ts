/**
 * Quantiles and means of samples, through simple-statistics where it gives the same bits.
 *
 * - `quantileSorted`: simple-statistics's `quantileSorted`, the type-7 (linear interpolation between
 *   order statistics) quantile of numpy.percentile and R's quantile since its 7.8.9. Its index is
 *   (n - 1) * p, as ours was, so every result is bit for bit the same for finite samples (p = 0 and
 *   p = 1 return the end samples directly, which only matters for infinite ones).
 * - `mean`: simple-statistics's `meanSimple` (left-to-right sum), not its `mean`, whose
 *   Kahan-Babuska sum differs from a plain sum in the last bits and would change reported means.
 * - `percentileSorted`: the one hand-written quantile, for callers that ask in percent (`trace
 *   stats`). Its index (n - 1) * pct / 100 is rounded once; passing pct / 100 to `quantileSorted`
 *   rounds twice and moves some results by an ulp (n = 4, p99: 112.86000000000001 vs
 *   112.85999999999999), which would change `trace stats --json` output.
 */
import { meanSimple, quantileSorted as ssQuantileSorted } from "simple-statistics";

/** Type-7 quantile of ascending `sorted` at `p` in [0, 1]; NaN when there are no samples. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  // simple-statistics only indexes and reads `length`, so typed arrays work as they are.
  return sorted.length === 0 ? NaN : ssQuantileSorted(sorted as unknown as readonly number[], p);
}

/** Type-7 percentile of ascending `sorted` at `pct` in [0, 100]; NaN when there are no samples. */
export function percentileSorted(sorted: ArrayLike<number>, pct: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = ((n - 1) * pct) / 100;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Arithmetic mean (plain left-to-right sum); NaN when there are no samples. */
export function mean(xs: ArrayLike<number>): number {
  return xs.length === 0 ? NaN : meanSimple(xs as unknown as readonly number[]);
}
