import { describe, expect, it } from "vitest";
import { rngStream } from "../../src/sim/rng.js";

describe("rng", () => {
  it("same seed and name give the same sequence; names are independent", () => {
    const a = rngStream(7, "arrivals");
    const b = rngStream(7, "arrivals");
    const c = rngStream(7, "lengths");
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
    expect(rngStream(8, "arrivals").next()).not.toBe(sa[0]);
  });

  it("uniform, exponential and gamma have the right moments", () => {
    const r = rngStream(1, "moments");
    const n = 200_000;
    let u = 0, e = 0, g = 0, g2 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      u += x;
      e += r.exponential(3);
      const y = r.gamma(0.25, 4); // mean 1, variance 4
      g += y;
      g2 += y * y;
    }
    expect(u / n).toBeCloseTo(0.5, 2);
    expect(e / n).toBeCloseTo(3, 1);
    expect(g / n).toBeCloseTo(1, 1);
    expect(g2 / n - (g / n) ** 2).toBeGreaterThan(3.6);
    expect(g2 / n - (g / n) ** 2).toBeLessThan(4.4);
  });

  it("int stays in range and hits every value", () => {
    const r = rngStream(3, "int");
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = r.int(7);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(7);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
  });
});
