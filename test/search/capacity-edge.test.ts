/**
 * A deployment whose measured capacity is the planned rate itself is at the edge and is not
 * confirmed: on the bundled chat spec such a point (1 x h100 tp4 + L2, capacity 20.0 at a demand of
 * 20) held on 19 of 20 unseen seeds. Hand-computed rates at the 2.5% resolution.
 */
import { describe, expect, it } from "vitest";
import { atTheEdge, RATE_RESOLUTION } from "../../src/search/capacity.js";

describe("atTheEdge", () => {
  it("uses a 2.5% resolution", () => expect(RATE_RESOLUTION).toBe(0.025));
  it("a capacity equal to the plan (missed at 20.5 req/s) is at the edge", () => {
    expect(atTheEdge(20, { okRps: 20, atLeast: false })).toBe(true);
    expect(atTheEdge(20, { okRps: 20.49, atLeast: false })).toBe(true);
  });
  it("a capacity one step above the plan or more is not", () => {
    expect(atTheEdge(20, { okRps: 20.5, atLeast: false })).toBe(false);
    expect(atTheEdge(20, { okRps: 27, atLeast: false })).toBe(false);
  });
  it("a capacity still met at the highest rate probed is not", () => {
    expect(atTheEdge(20, { okRps: 20, atLeast: true })).toBe(false);
  });
  it("the plan includes the headroom: demand 20 with headroom 0.2 plans 24", () => {
    expect(atTheEdge(24, { okRps: 24.5, atLeast: false })).toBe(true);
    expect(atTheEdge(24, { okRps: 24.6, atLeast: false })).toBe(false);
  });
});
