import { describe, expect, it } from "vitest";
import { mape } from "../../src/runner/mape.js";

describe("mape", () => {
  it("is the mean of the absolute percentage errors, 0 when there are none", () => {
    // |110/100 - 1| = 0.1, |70/100 - 1| = 0.3
    expect(mape([0.1, 0.3])).toBeCloseTo(0.2, 15);
    expect(mape([0.25])).toBe(0.25);
    expect(mape([])).toBe(0);
  });
});
