import { describe, expect, it } from "vitest";
import { SparseGrid } from "../../../src/sim/estimator/grid-interp.js";

const look = { value: 0, inside: false };

describe("SparseGrid", () => {
  // f = 2*log(x) + 3*log(y): linear in log coordinates, so multilinear interpolation is exact.
  const xs = [1, 4, 16, 64];
  const ys = [2, 8, 32];
  const f = (x: number, y: number) => 2 * Math.log(x) + 3 * Math.log(y);
  const pts = xs.flatMap((x) => ys.map((y) => [x, y]));
  const grid = new SparseGrid(pts, pts.map(([x, y]) => f(x, y)), 2);

  it("returns measured values exactly on grid points", () => {
    for (const [x, y] of pts) {
      grid.lookup([x, y], look);
      expect(look.value).toBe(f(x, y));
      expect(look.inside).toBe(true);
      expect(grid.has([x, y])).toBe(true);
    }
    expect(grid.has([2, 2])).toBe(false);
  });

  it("interpolates linearly in log space between points", () => {
    for (const [x, y] of [[2, 4], [8, 16], [3, 30], [50, 2.5]]) {
      grid.lookup([x, y], look);
      expect(look.value).toBeCloseTo(f(x, y), 10);
      expect(look.inside).toBe(true);
    }
  });

  it("is monotone along an axis when the data are", () => {
    let prev = -Infinity;
    for (let x = 1; x <= 64; x *= 1.1) {
      grid.lookup([x, 8], look);
      expect(look.value).toBeGreaterThanOrEqual(prev);
      prev = look.value;
    }
  });

  it("clamps outside the axis ranges and says so", () => {
    grid.lookup([1000, 8], look);
    expect(look.inside).toBe(false);
    expect(look.value).toBeCloseTo(f(64, 8), 10);
    grid.lookup([0.5, 1], look);
    expect(look.inside).toBe(false);
    expect(look.value).toBeCloseTo(f(1, 2), 10);
  });

  it("renormalizes over measured corners of a triangular grid and falls back to the nearest point", () => {
    // Upper-right corner missing: batch 64 was not measured at length 4096 (as in attention tables).
    const tri = new SparseGrid([[1, 1024], [1, 4096], [64, 1024]], [0, 1, 2], 2);
    tri.lookup([8, 2048], look);
    expect(look.inside).toBe(true);
    // Weights: (1,1024) .25, (1,4096) .25, (64,1024) .25 (the missing corner's .25 dropped).
    expect(look.value).toBeCloseTo((0 * 0.25 + 1 * 0.25 + 2 * 0.25) / 0.75, 10);
    tri.lookup([64, 4096], look); // only the missing corner: nearest measured point
    expect(look.inside).toBe(false);
    expect([1, 2]).toContain(look.value);
  });
});
