import { describe, expect, it } from "vitest";
import { confirmSeeds, MAX_SEED, verifySeeds } from "../../src/search/seeds.js";

describe("seeds", () => {
  it("confirmation seeds are derived from the search seed: seed + k x 1,000,003", () => {
    expect(confirmSeeds(1, 3)).toEqual([1_000_004, 2_000_007, 3_000_010]);
    expect(confirmSeeds(2, 2)).toEqual([1_000_005, 2_000_008]);
  });

  it.each([0, 1, 7, 101, 999_999, MAX_SEED - 1, MAX_SEED - 1_000_003])("never the search seed %s, distinct, in the seed range", (seed) => {
    const s = confirmSeeds(seed, 5);
    expect(s).not.toContain(seed);
    expect(new Set(s).size).toBe(5);
    for (const x of s) expect(x >= 0 && x <= MAX_SEED).toBe(true);
  });

  it("verify's default seeds are 101..., none of which the default search (seed 1) uses", () => {
    expect(verifySeeds(5)).toEqual([101, 102, 103, 104, 105]);
    const used = [1, ...confirmSeeds(1, 20)];
    for (const s of verifySeeds(50)) expect(used).not.toContain(s);
    expect(verifySeeds(2, 7)).toEqual([7, 8]);
  });
});
