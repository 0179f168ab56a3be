import { describe, expect, it } from "vitest";
import { BucketRouter } from "../../../src/sim/router/bucket.js";
import { rngStream } from "../../../src/sim/rng.js";
import { cfg, lenReq } from "./fixtures.js";

function bands(r: BucketRouter): [number, number][] {
  return Array.from(r.bandLo, (lo, i) => [lo, r.bandHi[i]]);
}

function bucket(n: number, abs: number, rel: number, intervalS: number): BucketRouter {
  return new BucketRouter(cfg({ policy: "bucket", balanceAbsThreshold: abs, balanceRelThreshold: rel, bucketAdjustIntervalS: intervalS }), n, rngStream(1, "router"));
}

describe("bucket: initial bands and lookup", () => {
  it.each([
    [1, [[0, Infinity]]],
    [3, [[0, 1364], [1365, 2729], [2730, Infinity]]],
    [4, [[0, 1023], [1024, 2047], [2048, 3071], [3072, Infinity]]],
  ])("%i workers: gap = 4096 // n, last band open", (n, want) => {
    expect(bands(bucket(n, 64, 1.5, 5))).toEqual(want);
  });

  it.each([
    [0, 0], [1364, 0], [1365, 1], [2729, 1], [2730, 2], [1e9, 2],
  ])("a %i-char prompt falls in band %i", (chars, w) => {
    expect(bucket(3, 64, 1.5, 5).findBand(chars)).toBe(w);
  });
});

describe("bucket: routing (SGLang bucket.rs test cases)", () => {
  it("load-balance override on char imbalance, then re-cut bands", () => {
    // test_load_balancing_conditions, phase 1 and 2 (abs 32, rel 1.0001, interval 10 s).
    const r = bucket(3, 32, 1.0001, 10);
    expect(r.route(lenReq(33), 0)).toBe(0); // band 0
    expect(r.route(lenReq(34), 0)).toBe(1); // 33 vs 0: imbalanced -> argmin (lowest index)
    expect(r.route(lenReq(34), 0)).toBe(2);
    expect(r.housekeeping(10e6)).toBe(20e6);
    expect(bands(r)).toEqual([[0, 33], [34, 67], [68, Infinity]]);
    // 11 s later: chars per worker still 33/34/34 at the check (expiry is after it) -> band 0.
    expect(r.route(lenReq(33), 11e6)).toBe(0);
    expect(Array.from(r.charsPerWorker)).toEqual([33, 0, 0]); // the three old requests expired
    expect(r.route(lenReq(33), 11e6)).toBe(1);
    expect(r.route(lenReq(33), 11e6)).toBe(2);
    expect(r.overrides).toBe(4);
  });

  it.each([
    // abs, rel, prompt lengths, expected workers
    [30, 2.0, [20, 8, 7], [0, 0, 0]], // diff 28 <= 30: no override
    [5, 3.0, [15, 5, 10, 7], [0, 1, 2, 0]], // last: 15 > 3 * 5 is false -> band
    [64, 1.5, [2000, 2000, 2000, 2000], [1, 0, 2, 1]], // defaults
  ])("abs %d rel %d: lengths %j -> %j", (abs, rel, lengths, want) => {
    const r = bucket(3, abs, rel, 5);
    expect(lengths.map((c) => r.route(lenReq(c), 0))).toEqual(want);
  });

  it("expires window entries strictly older than the period, at routes only", () => {
    const r = bucket(3, 1000, 1.5, 5);
    r.route(lenReq(100), 0);
    r.route(lenReq(10), 5e6); // exactly one period old: kept
    expect([r.charsPerWorker[0], r.windowRequests, r.windowChars]).toEqual([110, 2, 110]);
    r.route(lenReq(10), 5e6 + 1);
    expect([r.charsPerWorker[0], r.windowRequests, r.windowChars]).toEqual([20, 2, 20]);
    r.housekeeping(100e6); // adjust sees the stale window: expiry is lazy
    expect(r.windowRequests).toBe(2);
  });
});

describe("bucket: adjust (SGLang bucket.rs test cases, abs 300, rel 1.0001, interval 3 s)", () => {
  function run(phases: number[][]): [number, number][][] {
    const r = bucket(3, 300, 1.0001, 3);
    const out: [number, number][][] = [];
    phases.forEach((lengths, p) => {
      for (const c of lengths) r.route(lenReq(c), p * 4e6);
      r.housekeeping(p * 4e6 + 3e6 - ((p * 4e6) % 3e6)); // the next multiple of 3 s
      out.push(bands(r));
    });
    return out;
  }

  it.each([
    ["adjust_boundary_1", [[5, 10, 15, 20, 24, 26], [10, 20, 30, 40, 45, 57]], [[20, 26], [40, 57]]],
    ["adjust_boundary_2", [[20], [7]], [[20, 27], [7, 10]]],
    ["not_adjust_boundary (avg 64 within 2x of 33: skipped)", [[5, 10, 15, 20, 24, 26], [10, 20, 30, 32, 45, 55]], [[20, 26], [20, 26]]],
  ])("%s", (_name, phases, upper) => {
    const got = run(phases);
    expect(got.map((b) => [b[0][1], b[1][1]])).toEqual(upper);
    for (const b of got) {
      expect(b[0][0]).toBe(0);
      expect(b[1][0]).toBe(b[0][1] + 1);
      expect(b[2]).toEqual([b[1][1] + 1, Infinity]);
    }
  });

  it("skips an empty window", () => {
    const r = bucket(3, 300, 1.0001, 3);
    r.housekeeping(3e6);
    expect(r.recuts).toBe(0);
    expect(bands(r)).toEqual([[0, 1364], [1365, 2729], [2730, Infinity]]);
  });
});

describe("bucket: convergence", () => {
  /** 80% short prompts (100..500 tokens), 20% long (3000..8000). */
  function bimodal(rng: ReturnType<typeof rngStream>): number {
    return rng.next() < 0.8 ? 100 + rng.int(401) : 3000 + rng.int(5001);
  }

  it.each([3, 4])("cuts %i bands carrying equal chars of a bimodal workload, and keeps them while it is stationary", (n) => {
    const r = new BucketRouter(cfg({ policy: "bucket" }), n, rngStream(1, "router"));
    const rng = rngStream(7, "lengths");
    let next = r.housekeeping(0);
    const rateRps = 200;
    for (let i = 0; i < 30 * rateRps; i++) {
      const t = (i * 1e6) / rateRps;
      while (next <= t) next = r.housekeeping(next);
      r.route(lenReq(bimodal(rng)), t);
    }
    expect(r.recuts).toBe(1); // cut once at 5 s; later averages stay within 2x (skip rule)
    // Band loads measured on a fresh sample of the same workload.
    const fresh = rngStream(8, "lengths");
    const load = new Array(n).fill(0);
    for (let i = 0; i < 50_000; i++) {
      const c = bimodal(fresh);
      load[r.findBand(c)] += c;
    }
    const mean = load.reduce((a, b) => a + b, 0) / n;
    for (const l of load) expect(Math.abs(l - mean) / mean).toBeLessThan(0.2);
  });

  it("re-cuts when the load per band moves more than 2x", () => {
    const r = new BucketRouter(cfg({ policy: "bucket" }), 3, rngStream(1, "router"));
    for (let i = 0; i < 100; i++) r.route(lenReq(200), i * 40_000); // 4 s of short prompts
    r.housekeeping(5e6);
    expect(r.recuts).toBe(1);
    const first = bands(r);
    for (let i = 0; i < 100; i++) r.route(lenReq(i % 5 === 0 ? 6000 : 200), 5e6 + i * 40_000);
    r.housekeeping(10e6);
    expect(r.recuts).toBe(2);
    expect(bands(r)).not.toEqual(first);
  });
});
