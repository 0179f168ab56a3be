import { describe, expect, it } from "vitest";
import { LeastLoadRouter } from "../../../src/sim/router/least-load.js";
import { RandomRouter } from "../../../src/sim/router/random.js";
import { RoundRobinRouter } from "../../../src/sim/router/round-robin.js";
import { argmin, isImbalanced, Periodic } from "../../../src/sim/router/base-router.js";
import { rngStream } from "../../../src/sim/rng.js";
import { lenReq } from "./fixtures.js";

describe("round_robin", () => {
  it.each([
    [1, [0, 0, 0, 0]],
    [3, [0, 1, 2, 0, 1, 2, 0]],
    [4, [0, 1, 2, 3, 0, 1]],
  ])("cycles over %i replicas regardless of load", (n, expected) => {
    const r = new RoundRobinRouter(n);
    const got = expected.map(() => r.route(lenReq(100), 0));
    expect(got).toEqual(expected);
    expect(Array.from(r.inFlight).reduce((a, b) => a + b, 0)).toBe(expected.length);
  });
});

describe("random", () => {
  it("is uniform over replicas and equals the stream's int(n) draws", () => {
    const n = 5;
    const r = new RandomRouter(n, rngStream(9, "router"));
    const mirror = rngStream(9, "router");
    const counts = new Array(n).fill(0);
    const got: number[] = [];
    const want: number[] = [];
    for (let i = 0; i < 50_000; i++) {
      const w = r.route(lenReq(10), i);
      got.push(w);
      want.push(mirror.int(n));
      counts[w]++;
      r.onComplete(w, i);
    }
    expect(got).toEqual(want);
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400); // ~4.5 sigma
  });
});

describe("least_load", () => {
  it("picks the fewest in flight, ties to the lowest index, and follows completions", () => {
    const r = new LeastLoadRouter(3);
    // Table of (action, expected choice): route -> returns index; complete(i) frees one on i.
    const steps: (["route", number] | ["complete", number])[] = [
      ["route", 0], ["route", 1], ["route", 2], ["route", 0], ["route", 1],
      ["complete", 0], ["complete", 0], // loads 0,2,1
      ["route", 0], ["route", 0], // 1,2,1 -> 0 again (tie 0/2 -> 0): 2,2,1
      ["route", 2], // 2,2,2
      ["complete", 1], ["route", 1],
    ];
    for (const [op, v] of steps) {
      if (op === "route") expect(r.route(lenReq(1), 0)).toBe(v);
      else r.onComplete(v, 0);
    }
    expect(Array.from(r.inFlight)).toEqual([2, 2, 2]);
  });

  it("refuses a completion with nothing in flight", () => {
    const r = new LeastLoadRouter(2);
    expect(() => r.onComplete(1, 0)).toThrow(/no request in flight/);
  });
});

describe("shared helpers", () => {
  it.each([
    // max, min, abs, rel, imbalanced
    [65, 0, 64, 1.5, true],
    [64, 0, 64, 1.5, false], // abs is strict
    [100, 30, 64, 1.5, true],
    [150, 100, 32, 1.5, false], // 150 > 150 is false
    [151, 100, 32, 1.5, true],
    [34, 1, 32, 1.0001, true],
    [33, 1, 32, 1.0001, false],
  ])("isImbalanced(max %d, min %d, abs %d, rel %d) = %s", (max, min, abs, rel, want) => {
    expect(isImbalanced(max, min, abs, rel)).toBe(want);
  });

  it("argmin keeps the first minimum", () => {
    expect(argmin(Int32Array.of(3, 1, 1, 2))).toBe(1);
    expect(argmin([5])).toBe(0);
  });

  it("Periodic fires at multiples of the interval and skips missed slots", () => {
    const p = new Periodic(5);
    expect(p.nextUs).toBe(5e6);
    expect(p.due(0)).toBe(false);
    expect(p.due(4_999_999)).toBe(false);
    expect(p.due(5e6)).toBe(true);
    expect(p.nextUs).toBe(10e6);
    expect(p.due(5e6)).toBe(false);
    expect(p.due(23e6)).toBe(true);
    expect(p.nextUs).toBe(25e6);
  });
});
