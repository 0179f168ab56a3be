/**
 * What a verdict rests on (requests per percentile, which requests count), the early-stop watch
 * (its verdict must be the full run's, its latencies lower bounds of the full run's), and the
 * trial window's exact offered rate.
 */
import { describe, expect, it } from "vitest";
import { generateSynthetic } from "../../src/sim/workload/synthetic.js";
import type { SyntheticWorkload } from "../../src/config/types.js";
import { initTrialState, offeredRate, runTrial, trialTable, type TrialTask } from "../../src/runner/trial.js";
import {
  prefixForVerdicts, quantileFloorIndex, requestsNeeded, samplesIn, VerdictWatch,
} from "../../src/runner/verdict.js";
import { quantileSorted } from "../../src/sim/metrics/quantile.js";
import type { SloTargets } from "../../src/results/point.js";
import { tableOf } from "../helpers/sim.js";
import { TEST_PRICES } from "../helpers/prices.js";
import { rngStream } from "../../src/sim/rng.js";

describe("requests per verdict", () => {
  it.each([[99, 5000], [90, 500], [50, 100], [99.9, 50000], [95, 1000]])("p%s needs %s requests for a tail of 50", (p, n) => {
    expect(requestsNeeded(p)).toBe(n);
  });

  it("TPOT counts only requests with two or more output tokens", () => {
    const t = tableOf([{ input: 10, output: 1 }, { input: 10, output: 2 }, { input: 10, output: 5 }, { input: 10, output: 1 }]);
    expect(samplesIn(t, 4, ["ttftMs", "tpotMs", "e2eMs"])).toEqual({ ttftMs: 4, tpotMs: 2, e2eMs: 4 });
    expect(samplesIn(t, 2, ["ttftMs", "tpotMs"])).toEqual({ ttftMs: 2, tpotMs: 1, e2eMs: 0 });
  });

  it("the verdict prefix is the first row at which every target has its requests", () => {
    // p50 needs 100 samples: TTFT has them at row 100; TPOT (every other request has 1 token) at row 199.
    const rows = Array.from({ length: 300 }, (_, i) => ({ input: 10, output: i % 2 === 0 ? 3 : 1 }));
    const t = tableOf(rows);
    const targets: SloTargets = { ttftMs: { percentile: 50, max: 1 }, tpotMs: { percentile: 50, max: 1 } };
    expect(prefixForVerdicts(t, targets)).toBe(199);
    // A workload smaller than the need: all of it.
    expect(prefixForVerdicts(tableOf(rows.slice(0, 50)), targets)).toBe(50);
  });

  it("the type-7 quantile is never below the order statistic floor((n - 1) p)", () => {
    const r = rngStream(5, "test.q");
    for (let k = 0; k < 200; k++) {
      const n = 1 + r.int(400);
      const xs = Float64Array.from({ length: n }, () => r.next() * 100).sort();
      const p = [50, 90, 95, 99, 99.9][r.int(5)];
      const q = quantileSorted(xs, p / 100);
      expect(q).toBeGreaterThanOrEqual(xs[quantileFloorIndex(n, p)]);
      if (quantileFloorIndex(n, p) + 1 < n) expect(q).toBeLessThanOrEqual(xs[quantileFloorIndex(n, p) + 1]);
    }
  });
});

describe("VerdictWatch", () => {
  it("stops exactly when n - floor((n - 1) p) samples exceed the target (hand-computed)", () => {
    // 10 requests, p90: floor(9 * 0.9) = 8, so 2 samples over the target decide the miss.
    const t = tableOf(Array.from({ length: 10 }, () => ({ input: 10, output: 1 })));
    const w = new VerdictWatch(t, { ttftMs: { percentile: 90, max: 100 }, tpotMs: { percentile: 90, max: 100 } });
    expect(w.onFirstToken(0, 0, 50_000)).toBe(false); // 50 ms
    expect(w.onFirstToken(1, 0, 150_000)).toBe(false); // 150 ms: one over
    expect(w.onFirstToken(2, 0, 100_000)).toBe(false); // exactly at the target is not over
    expect(w.onFirstToken(3, 0, 250_000)).toBe(true); // two over: the p90 is above 100 ms whatever comes
    expect(w.stoppedBy).toBe("ttftMs");
    // The full run's p90 is at least the 2nd largest sample seen.
    expect(w.lowerBounds().ttftMs).toBe(150);
  });
});

const WORKLOAD: SyntheticWorkload = {
  kind: "synthetic", requests: 700, arrival: { process: "poisson", ratePerS: 6 },
  inputTokens: { lognormal: { mean: 500, sigma: 0.6 }, max: 4096 }, outputTokens: { lognormal: { mean: 100, sigma: 0.5 }, max: 1024 },
  prefix: { systemPrompts: 4, systemPromptTokens: 512, zipfAlpha: 1.1, sessions: { turnsMean: 2, thinkTimeMeanS: 5 } },
};

function task(o: Partial<TrialTask>): TrialTask {
  return {
    id: "t", deployment: { model: "llama-3.1-8b", gpu: "h100_sxm", tp: 1, weights: "bf16", kvDtype: "bf16", engine: { kind: "sglang", maxRunningRequests: 32 }, replicas: 1, router: { policy: "round_robin" }, kvCache: {} } as TrialTask["deployment"],
    rateRps: 6, requestLimit: 500, seed: 1, targets: { ttftMs: { percentile: 90, max: 300 }, tpotMs: { percentile: 90, max: 12 } }, prices: TEST_PRICES, ...o,
  };
}

describe("trial windows", () => {
  const table = generateSynthetic(WORKLOAD, 1);
  const tables = new Map([[1, table]]);

  it.each([[300, 2], [500, 6], [700, 15.5], [120, 40]])("a window of %s requests offers exactly the rate asked (%s req/s)", (limit, rate) => {
    const w = trialTable({ seed: 1, requestLimit: limit, rateRps: rate }, tables);
    expect(w.count).toBe(limit);
    expect(offeredRate(w) / rate - 1).toBeCloseTo(0, 9);
  });

  it("an early-stopped trial gives the full run's verdict, and latencies no higher than the full run's", () => {
    const state = initTrialState({ tables: [{ seeds: [1], table }] });
    let stopped = 0;
    for (const [rate, mrr, ttft] of [[4, 32, 300], [40, 32, 300], [60, 64, 2000], [100, 128, 2000], [9, 8, 300], [30, 16, 200], [25, 64, 100]] as const) {
      const targets: SloTargets = { ttftMs: { percentile: 90, max: ttft }, tpotMs: { percentile: 99, max: 13 }, e2eMs: { percentile: 50, max: 4000 } };
      const base = task({ rateRps: rate, targets });
      base.deployment = { ...base.deployment, engine: { kind: "sglang", maxRunningRequests: mrr } };
      const full = runTrial(base, state);
      const early = runTrial({ ...base, earlyStop: true }, state);
      expect(early.sloMet).toBe(full.sloMet);
      if (early.earlyStopped) {
        stopped++;
        expect(early.completed).toBeLessThan(full.completed);
        expect(early.latency.ttftMs).toBeLessThanOrEqual(full.latency.ttftMs);
        expect(early.latency.tpotMs).toBeLessThanOrEqual(full.latency.tpotMs);
        expect(early.latency.e2eMs!).toBeLessThanOrEqual(full.latency.e2eMs!);
        expect(early.note).toMatch(/stopped early/);
      } else {
        expect(early).toEqual(full);
      }
    }
    // The cases were chosen so that some overloaded ones stop early.
    expect(stopped).toBeGreaterThanOrEqual(2);
  });
});
