import { describe, expect, it } from "vitest";
import { confirmSeeds, MAX_SEED, verifySeeds } from "../../src/search/seeds.js";

describe("seeds", () => {
  it("confirmation seeds are one fixed set, 1,000,001 and up, whatever the search seed", () => {
    expect(confirmSeeds(1, 3)).toEqual([1_000_001, 1_000_002, 1_000_003]);
    expect(confirmSeeds(2, 3)).toEqual([1_000_001, 1_000_002, 1_000_003]);
  });

  it("skips the search seed", () => {
    expect(confirmSeeds(1_000_002, 3)).toEqual([1_000_001, 1_000_003, 1_000_004]);
  });

  it.each([0, 1, 7, 101, 1_000_001, 1_000_003, MAX_SEED])("never the search seed %s, distinct, in the seed range", (seed) => {
    const s = confirmSeeds(seed, 5);
    expect(s).not.toContain(seed);
    expect(new Set(s).size).toBe(5);
    for (const x of s) expect(x >= 0 && x <= MAX_SEED).toBe(true);
  });

  it("verify's default seeds are 101..., none of which the default search (seed 1) or a confirmation uses", () => {
    expect(verifySeeds(5)).toEqual([101, 102, 103, 104, 105]);
    const used = [1, ...confirmSeeds(1, 20)];
    for (const s of verifySeeds(50)) expect(used).not.toContain(s);
    expect(verifySeeds(2, 7)).toEqual([7, 8]);
  });
});
