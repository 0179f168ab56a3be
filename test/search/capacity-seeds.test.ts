/** The seeds a capacity is checked on: the confirmation seeds, then two more, never the search seed. */
import { describe, expect, it } from "vitest";
import { CAPACITY_EXTRA_SEEDS, capacitySeeds, confirmSeeds } from "../../src/search/seeds.js";

describe("capacitySeeds", () => {
  it("extends the confirmation seeds by two", () => {
    expect(CAPACITY_EXTRA_SEEDS).toBe(2);
    expect(capacitySeeds(1, 3)).toEqual([1_000_001, 1_000_002, 1_000_003, 1_000_004, 1_000_005]);
    expect(capacitySeeds(1, 3).slice(0, 3)).toEqual(confirmSeeds(1, 3));
  });
  it("skips the search seed", () => {
    expect(capacitySeeds(1_000_004, 3)).toEqual([1_000_001, 1_000_002, 1_000_003, 1_000_005, 1_000_006]);
  });
});
