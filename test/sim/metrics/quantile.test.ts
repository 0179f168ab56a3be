/** Quantiles and means: hand-computed type-7 values (numpy.percentile's default) and the edge cases. */
import { describe, expect, it } from "vitest";
import { mean, percentileSorted, quantileSorted } from "../../../src/sim/metrics/quantile.js";

// numpy.percentile(x, [0, 25, 50, 90, 100]) = [3, 7.5, 9, 16, 20]
const x = [3, 6, 7, 8, 8, 9, 10, 13, 15, 16, 20];

describe("quantileSorted (p in [0, 1])", () => {
  it.each([
    [0, 3], [0.25, 7.5], [0.5, 9], [0.9, 16], [1, 20],
    // (n - 1) * p = 9.5: halfway between 16 and 20
    [0.95, 18],
  ])("p = %f gives %f", (p, want) => {
    expect(quantileSorted(x, p)).toBe(want);
    expect(quantileSorted(Float64Array.from(x), p)).toBe(want);
  });

  it("a single sample is every quantile; no samples give NaN", () => {
    for (const p of [0, 0.3, 1]) expect(quantileSorted([5], p)).toBe(5);
    expect(quantileSorted([], 0.5)).toBeNaN();
    expect(quantileSorted(new Float64Array(0), 0.99)).toBeNaN();
  });

  it("returns the end samples at p = 0 and p = 1 even when one is infinite", () => {
    expect(quantileSorted([1, 2, Infinity], 1)).toBe(Infinity);
    expect(quantileSorted([-Infinity, 2, 3], 0)).toBe(-Infinity);
  });
});

describe("percentileSorted (pct in [0, 100])", () => {
  it("agrees with the hand-computed values", () => {
    expect([0, 25, 50, 90, 95, 100].map((p) => percentileSorted(x, p))).toEqual([3, 7.5, 9, 16, 18, 20]);
    expect(percentileSorted([7], 99)).toBe(7);
    expect(percentileSorted([], 50)).toBeNaN();
  });

  it("rounds its index once: n = 4, p99 is 3 * 99 / 100 = 2.97 of the way, as trace stats always reported", () => {
    const s = [0, 0, 100, 138];
    // 100 + 0.97 * 38 computed from the index 2.97 = 297 / 100 (one rounding)
    expect(percentileSorted(s, 99)).toBe(100 + (297 / 100 - 2) * 38);
  });
});

describe("mean", () => {
  it("is the plain left-to-right mean (not a compensated sum), NaN when empty", () => {
    // A plain sum of 0.1, 0.2, 0.3 is 0.6000000000000001; a compensated one gives 0.6.
    expect(mean([0.1, 0.2, 0.3])).toBe((0.1 + 0.2 + 0.3) / 3);
    expect(mean(Int32Array.of(1, 2, 4))).toBe(7 / 3);
    expect(mean([])).toBeNaN();
  });
});
