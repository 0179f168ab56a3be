/** Zipf popularity over a finite set: item k (0-based) has weight 1 / (k + 1)^alpha. */
import type { Rng } from "../rng.js";

/**
 * A sampler of item indices in [0, n): item 0 is the most popular; alpha = 0 is uniform.
 * Inverse-CDF with a binary search, O(log n) per draw.
 */
export function zipfSampler(n: number, alpha: number, rng: Rng): () => number {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    sum += 1 / Math.pow(k + 1, alpha);
    cdf[k] = sum;
  }
  return () => {
    const u = rng.next() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
