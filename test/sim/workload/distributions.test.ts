import { describe, expect, it } from "vitest";
import { rngStream } from "../../../src/sim/rng.js";
import { gapSamplerUs } from "../../../src/sim/workload/arrivals.js";
import { lengthSampler } from "../../../src/sim/workload/length-dist.js";
import { zipfSampler } from "../../../src/sim/workload/zipf.js";
import { meanCv } from "./helpers.js";

function draw(f: () => number, n: number): Float64Array {
  const xs = new Float64Array(n);
  for (let i = 0; i < n; i++) xs[i] = f();
  return xs;
}

describe("length distributions", () => {
  it("fixed is constant and clipped by max", () => {
    const rng = rngStream(1, "t");
    expect(new Set(draw(lengthSampler({ fixed: 300 }, rng), 100))).toEqual(new Set([300]));
    expect(lengthSampler({ fixed: 300, max: 200 }, rng)()).toBe(200);
  });

  it("uniform covers [lo, hi] inclusive with mean (lo+hi)/2", () => {
    const xs = draw(lengthSampler({ uniform: [10, 20] }, rngStream(2, "t")), 50_000);
    expect(Math.min(...xs)).toBe(10);
    expect(Math.max(...xs)).toBe(20);
    expect(xs.every((x) => Number.isInteger(x))).toBe(true);
    expect(meanCv(xs).mean).toBeCloseTo(15, 1);
  });

  it.each([
    [1000, 0.5],
    [200, 1.0],
  ])("lognormal mean %d sigma %d has that mean and log-sd", (mean, sigma) => {
    const xs = draw(lengthSampler({ lognormal: { mean, sigma } }, rngStream(3, "t")), 200_000);
    const m = meanCv(xs).mean;
    expect(Math.abs(m - mean) / mean).toBeLessThan(0.02);
    // sd of log(x): sigma (rounding to integers barely matters at these sizes)
    const logs = Array.from(xs, Math.log);
    const lm = logs.reduce((a, b) => a + b, 0) / logs.length;
    const lsd = Math.sqrt(logs.reduce((a, b) => a + (b - lm) ** 2, 0) / logs.length);
    expect(lsd).toBeCloseTo(sigma, 1);
    // median of a lognormal = exp(mu) = mean * exp(-sigma^2/2)
    const sorted = Float64Array.from(xs).sort();
    const median = sorted[sorted.length >> 1];
    expect(Math.abs(median - mean * Math.exp(-(sigma * sigma) / 2)) / median).toBeLessThan(0.03);
  });

  it("lognormal values above max are clipped to max, all >= 1", () => {
    const xs = draw(lengthSampler({ lognormal: { mean: 1000, sigma: 1.5 }, max: 2000 }, rngStream(4, "t")), 20_000);
    expect(Math.max(...xs)).toBe(2000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(1);
    expect(xs.filter((x) => x === 2000).length).toBeGreaterThan(100);
  });

  it("empirical resamples the given lengths uniformly", () => {
    const src = Int32Array.from([5, 5, 5, 100]);
    const xs = draw(lengthSampler({ empirical: "lengths.csv" }, rngStream(5, "t"), src), 40_000);
    expect(new Set(xs)).toEqual(new Set([5, 100]));
    expect(xs.filter((x) => x === 100).length / xs.length).toBeCloseTo(0.25, 1);
    const clipped = draw(lengthSampler({ empirical: "lengths.csv", max: 50 }, rngStream(5, "t"), src), 1000);
    expect(new Set(clipped)).toEqual(new Set([5, 50]));
  });

  it("empirical without lengths is an input error", () => {
    expect(() => lengthSampler({ empirical: "x.csv" }, rngStream(5, "t"), new Int32Array(0))).toThrow(/x\.csv.*at least one request/);
  });
});

describe("arrival processes", () => {
  it("poisson gaps: mean 1/rate, cv 1", () => {
    const r = meanCv(draw(gapSamplerUs("poisson", 20, rngStream(1, "a")), 100_000));
    expect(r.mean / 50_000).toBeCloseTo(1, 1);
    expect(r.cv).toBeCloseTo(1, 1);
  });

  it.each([0.5, 2, 4])("gamma gaps with cv %d: mean 1/rate and that cv", (cv) => {
    const r = meanCv(draw(gapSamplerUs("gamma", 10, rngStream(2, "a"), cv), 200_000));
    expect(Math.abs(r.mean - 100_000) / 100_000).toBeLessThan(0.03);
    expect(Math.abs(r.cv - cv) / cv).toBeLessThan(0.05);
  });

  it("constant gaps are exactly 1/rate", () => {
    expect(new Set(draw(gapSamplerUs("constant", 4, rngStream(3, "a")), 10))).toEqual(new Set([250_000]));
  });
});

describe("zipf", () => {
  it("orders popularity by rank with weights 1/(k+1)^alpha", () => {
    const n = 6;
    const alpha = 1.1;
    const counts = new Array<number>(n).fill(0);
    const f = zipfSampler(n, alpha, rngStream(7, "z"));
    const draws = 300_000;
    for (let i = 0; i < draws; i++) counts[f()]++;
    for (let k = 1; k < n; k++) expect(counts[k]).toBeLessThan(counts[k - 1]);
    const h = Array.from({ length: n }, (_, k) => 1 / (k + 1) ** alpha).reduce((a, b) => a + b, 0);
    for (let k = 0; k < n; k++) expect(counts[k] / draws).toBeCloseTo(1 / (k + 1) ** alpha / h, 2);
  });

  it("alpha 0 is uniform", () => {
    const counts = [0, 0, 0, 0];
    const f = zipfSampler(4, 0, rngStream(8, "z"));
    for (let i = 0; i < 40_000; i++) counts[f()]++;
    for (const c of counts) expect(c / 40_000).toBeCloseTo(0.25, 1);
  });
});
