import { describe, expect, it } from "vitest";
import { bindingTarget, closestMisses, dominates, paretoFrontier, recommend, sloPressure } from "../../src/results/pareto.js";
import type { Point } from "../../src/results/point.js";
import { TARGETS, point, randomPoints, shuffled } from "../search/make-points.js";

const ids = (ps: readonly Point[]) => ps.map((p) => p.id);

describe("sloPressure", () => {
  it("is the largest latency / target ratio", () => {
    expect(sloPressure(point("a", { latency: { ttftMs: 1000, tpotMs: 40 } }), TARGETS)).toBeCloseTo(0.8, 12);
    expect(sloPressure(point("b", { latency: { ttftMs: 1900, tpotMs: 10 } }), TARGETS)).toBeCloseTo(0.95, 12);
    expect(bindingTarget(point("b", { latency: { ttftMs: 1900, tpotMs: 10 } }), TARGETS)).toBe("ttftMs");
  });

  it("counts E2E only when both the target and the value exist", () => {
    const t = { ...TARGETS, e2eMs: { percentile: 99, max: 10_000 } };
    const p = point("a", { latency: { ttftMs: 100, tpotMs: 5, e2eMs: 9000 } });
    expect(sloPressure(p, t)).toBeCloseTo(0.9, 12);
    expect(bindingTarget(p, t)).toBe("e2eMs");
    expect(sloPressure(p, TARGETS)).toBeCloseTo(0.1, 12);
  });
});

describe("paretoFrontier (hand-computed)", () => {
  // pressure = max(ttft/2000, tpot/50)
  const pts = [
    point("cheap-slow", { costUsdPerHour: 10, capacityRps: 45, latency: { ttftMs: 1800, tpotMs: 40 } }), // 0.9
    point("mid", { costUsdPerHour: 20, capacityRps: 60, latency: { ttftMs: 1000, tpotMs: 30 } }), // 0.6
    point("mid-worse", { costUsdPerHour: 20, capacityRps: 55, latency: { ttftMs: 1000, tpotMs: 35 } }), // 0.7, dominated by mid
    point("pricey-fast", { costUsdPerHour: 40, capacityRps: 60, latency: { ttftMs: 400, tpotMs: 10 } }), // 0.2
    point("pricey-dominated", { costUsdPerHour: 45, capacityRps: 60, latency: { ttftMs: 400, tpotMs: 10 } }), // dominated by pricey-fast
    point("big", { costUsdPerHour: 80, capacityRps: 200, latency: { ttftMs: 1200, tpotMs: 45 } }), // 0.9, most capacity
    point("miss", { costUsdPerHour: 1, capacityRps: 500, latency: { ttftMs: 100, tpotMs: 60 } , sloMet: false }),
  ];

  it("keeps exactly the non-dominated SLO-meeting points, ordered by cost", () => {
    expect(ids(paretoFrontier(pts, TARGETS))).toEqual(["cheap-slow", "mid", "pricey-fast", "big"]);
  });

  it("keeps points with identical objectives (neither dominates the other), ordered by id", () => {
    const twins = [point("b", { costUsdPerHour: 5 }), point("a", { costUsdPerHour: 5 })];
    expect(dominates(twins[0], twins[1], TARGETS)).toBe(false);
    expect(ids(paretoFrontier(twins, TARGETS))).toEqual(["a", "b"]);
  });

  it("is empty when nothing meets the SLO", () => {
    expect(paretoFrontier([point("x", { sloMet: false })], TARGETS)).toEqual([]);
  });
});

describe("paretoFrontier (properties over seeded random point sets)", () => {
  const cases = Array.from({ length: 150 }, (_, i) => ({ seed: i + 1, n: 1 + ((i * 7) % 60) }));

  it.each(cases.slice(0, 150))("seed $seed, $n points", ({ seed, n }) => {
    const pts = randomPoints(seed, n);
    const front = paretoFrontier(pts, TARGETS);
    const onFront = new Set(ids(front));
    // Only SLO-meeting points.
    for (const f of front) expect(f.sloMet).toBe(true);
    // No frontier point is dominated by any point.
    for (const f of front) for (const p of pts) expect(dominates(p, f, TARGETS), `${p.id} dominates ${f.id}`).toBe(false);
    // Every SLO-meeting point off the frontier is dominated by a frontier point.
    for (const p of pts.filter((q) => q.sloMet && !onFront.has(q.id))) {
      expect(front.some((f) => dominates(f, p, TARGETS)), `${p.id} is not dominated`).toBe(true);
    }
    // Order-independent, including the output order.
    expect(ids(paretoFrontier(shuffled(pts, seed), TARGETS))).toEqual(ids(front));
    // Sorted by cost, then pressure, then id.
    for (let i = 1; i < front.length; i++) {
      const a = front[i - 1];
      const b = front[i];
      const ok = a.costUsdPerHour < b.costUsdPerHour ||
        (a.costUsdPerHour === b.costUsdPerHour && (sloPressure(a, TARGETS) < sloPressure(b, TARGETS) ||
          (sloPressure(a, TARGETS) === sloPressure(b, TARGETS) && a.id < b.id)));
      expect(ok).toBe(true);
    }
    // The recommendation is the cheapest SLO-meeting point and lies on the frontier.
    const rec = recommend(pts, TARGETS);
    const met = pts.filter((p) => p.sloMet);
    if (met.length === 0) {
      expect(rec).toBeNull();
    } else {
      expect(rec!.costUsdPerHour).toBe(Math.min(...met.map((p) => p.costUsdPerHour)));
      expect(onFront.has(rec!.id)).toBe(true);
      expect(recommend(shuffled(pts, seed + 1), TARGETS)!.id).toBe(rec!.id);
    }
  });
});

it("the random point sets exercise ties, dominated points and multi-point frontiers", () => {
  let offFront = 0;
  let multi = 0;
  let ties = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const pts = randomPoints(seed, 1 + (((seed - 1) * 7) % 60));
    const front = paretoFrontier(pts, TARGETS);
    offFront += pts.filter((p) => p.sloMet).length - front.length;
    if (front.length > 1) multi++;
    for (let i = 1; i < front.length; i++) if (front[i].costUsdPerHour === front[i - 1].costUsdPerHour) ties++;
  }
  expect(offFront).toBeGreaterThan(100);
  expect(multi).toBeGreaterThan(20);
  expect(ties).toBeGreaterThan(0);
});

describe("recommend", () => {
  it("picks the cheapest point that meets the SLO", () => {
    const pts = [
      point("cheap-miss", { costUsdPerHour: 5, sloMet: false }),
      point("b", { costUsdPerHour: 12 }),
      point("a", { costUsdPerHour: 20 }),
    ];
    expect(recommend(pts, TARGETS)!.id).toBe("b");
  });

  it("breaks cost ties by lower latency, then higher capacity, then id", () => {
    const slow = point("a-slow", { costUsdPerHour: 10, latency: { ttftMs: 1500, tpotMs: 20 } });
    const fast = point("z-fast", { costUsdPerHour: 10, latency: { ttftMs: 500, tpotMs: 20 } });
    expect(recommend([slow, fast], TARGETS)!.id).toBe("z-fast");
    const small = point("a-small", { costUsdPerHour: 10, capacityRps: 41 });
    const large = point("z-large", { costUsdPerHour: 10, capacityRps: 90 });
    expect(recommend([small, large], TARGETS)!.id).toBe("z-large");
    expect(recommend([point("b", { costUsdPerHour: 10 }), point("a", { costUsdPerHour: 10 })], TARGETS)!.id).toBe("a");
  });

  it("at equal cost, the most headroom to the binding target wins, not the lower latency of one metric", () => {
    // a: TTFT 95% of its target (binding), TPOT only 20%. b: TPOT 80% (binding), TTFT 25%.
    const a = point("a", { costUsdPerHour: 10, latency: { ttftMs: 1900, tpotMs: 10 } });
    const b = point("b", { costUsdPerHour: 10, latency: { ttftMs: 500, tpotMs: 40 } });
    expect(recommend([a, b], TARGETS)!.id).toBe("b");
    expect(recommend([b, a], TARGETS)!.id).toBe("b");
  });

  it("without targets, breaks ties on TTFT then TPOT", () => {
    const a = point("a", { costUsdPerHour: 10, latency: { ttftMs: 900, tpotMs: 30 } });
    const b = point("b", { costUsdPerHour: 10, latency: { ttftMs: 900, tpotMs: 20 } });
    expect(recommend([a, b])!.id).toBe("b");
  });

  it("returns null when nothing meets the SLO", () => {
    expect(recommend([point("x", { sloMet: false })], TARGETS)).toBeNull();
    expect(recommend([], TARGETS)).toBeNull();
  });
});

describe("closestMisses", () => {
  it("orders misses by how far they overshoot, then cost", () => {
    const pts = [
      point("far", { sloMet: false, latency: { ttftMs: 6000, tpotMs: 20 } }), // 3.0
      point("near", { sloMet: false, latency: { ttftMs: 2100, tpotMs: 20 } }), // 1.05
      point("short", { sloMet: false, capacityRps: 30, latency: { ttftMs: 1000, tpotMs: 20 } }), // 1 + 0.25
      point("ok", { sloMet: true }),
    ];
    expect(ids(closestMisses(pts, TARGETS, 5))).toEqual(["near", "short", "far"]);
    expect(ids(closestMisses(pts, TARGETS, 1))).toEqual(["near"]);
  });
});
