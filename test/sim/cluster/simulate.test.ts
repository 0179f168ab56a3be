import { describe, expect, it } from "vitest";
import { simulate } from "../../../src/sim/cluster/simulate.js";
import { closedLoop, deployment, linearEstimator, tableOf } from "../../helpers/sim.js";

describe("single replica, hand-computed timelines", () => {
  it.each(["sglang", "vllm"] as const)("%s: one request = one prefill step then output-1 decode steps", (engine) => {
    const est = linearEstimator({ fixedUs: 1000, perTokenUs: 10 });
    const table = tableOf([{ input: 100, output: 5, arrivalUs: 0 }]);
    const res = simulate({ dep: deployment({ engine: { kind: engine } }), table, estimator: est });
    // prefill: 1000 + 10*100 = 2000 us; 4 decodes of 1010 us.
    expect(res.summary.ttftMs.mean).toBeCloseTo(2.0, 6);
    expect(res.summary.e2eMs.mean).toBeCloseTo(2.0 + 4 * 1.01, 6);
    expect(res.summary.tpotMs.mean).toBeCloseTo(1.01, 6);
    expect(res.summary.completed).toBe(1);
  });

  it("sglang runs prefill first: a second arrival pauses decoding for its prefill", () => {
    const est = linearEstimator({ fixedUs: 1000, perTokenUs: 10 });
    // A arrives at 0 (prefill 2000), B arrives at 2500 while A decodes (step 2000..3010).
    const table = tableOf([
      { input: 100, output: 4, arrivalUs: 0 },
      { input: 200, output: 2, arrivalUs: 2500 },
    ]);
    const res = simulate({ dep: deployment(), table, estimator: est });
    const o = res.outcomes;
    // A: prefill 0-2000 (token 1), decode 2000-3010 (token 2), then B's prefill 3010-6010, then a
    // decode of both 6010-7030 (A token 3, B token 2 -> B done), then A alone 7030-8040 (token 4).
    expect(o.firstTokenUs[0]).toBe(2000);
    expect(o.firstTokenUs[1]).toBe(6010);
    expect(o.finishUs[1]).toBe(7030);
    expect(o.finishUs[0]).toBe(8040);
  });

  it("sglang with --enable-mixed-chunk decodes the running request in the prefill batch", () => {
    const est = linearEstimator({ fixedUs: 1000, perTokenUs: 10 });
    const table = tableOf([
      { input: 100, output: 4, arrivalUs: 0 },
      { input: 200, output: 2, arrivalUs: 2500 },
    ]);
    const res = simulate({ dep: deployment({ engine: { enableMixedChunk: true } }), table, estimator: est });
    const o = res.outcomes;
    // A prefill 0-2000; decode 2000-3010; B's prefill with A's decode token 3010-6020 (1000 + 10 x
    // 201); both decode 6020-7040: A's 4th token, B's 2nd.
    expect(o.firstTokenUs[1]).toBe(6020);
    expect(o.finishUs[1]).toBe(7040);
    expect(o.finishUs[0]).toBe(7040);
  });

  it("vllm mixes a new prefill into the running decode step", () => {
    const est = linearEstimator({ fixedUs: 1000, perTokenUs: 10 });
    const table = tableOf([
      { input: 100, output: 4, arrivalUs: 0 },
      { input: 200, output: 2, arrivalUs: 2500 },
    ]);
    const res = simulate({ dep: deployment({ engine: { kind: "vllm" } }), table, estimator: est });
    const o = res.outcomes;
    // A prefill 0-2000; decode 2000-3010; mixed step (A decode + B prefill 200) 3010-6020; both decode 6020-7040.
    expect(o.firstTokenUs[1]).toBe(6020);
    expect(o.finishUs[1]).toBe(7040);
    expect(o.finishUs[0]).toBe(7040);
  });

  it("chunked prefill splits a long prompt into chunkedPrefillSize pieces", () => {
    const est = linearEstimator({ fixedUs: 1000, perTokenUs: 1 });
    const table = tableOf([{ input: 10_000, output: 2 }]);
    const res = simulate({ dep: deployment({ engine: { chunkedPrefillSize: 4096 } }), table, estimator: est });
    // chunks 4096, 4096, 1808: 3 steps = 3000 + 10000 us.
    expect(res.outcomes.firstTokenUs[0]).toBe(13_000);
  });

  it("a cached prefix is not recomputed", () => {
    const est = linearEstimator({ fixedUs: 0, perTokenUs: 1 });
    const shared = [1, 2, 3, 4, 5, 6, 7, 8]; // 8 blocks of 16 = 128 tokens
    const table = tableOf([
      { input: 160, output: 1, arrivalUs: 0, ids: [...shared, 100, 101] },
      { input: 160, output: 1, arrivalUs: 1e6, ids: [...shared, 200, 201] },
    ]);
    const res = simulate({ dep: deployment(), table, estimator: est });
    expect(res.outcomes.firstTokenUs[0]).toBe(160);
    expect(res.outcomes.firstTokenUs[1] - 1e6).toBe(160 - 128);
    expect(res.summary.prefixHitRate.total).toBeCloseTo(128 / 320, 4);
  });
});

describe("invariants over seeded random workloads", () => {
  it.each([
    ["sglang", 1],
    ["vllm", 2],
    ["sglang", 3],
  ] as const)("%s seed %i: KV never over capacity, every request completes once with its output", (engine, seed) => {
    const rows = [];
    let s = seed * 7919;
    const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 400; i++) {
      const sys = Math.floor(rnd() * 4);
      const blocks = 1 + Math.floor(rnd() * 60);
      const ids = Array.from({ length: blocks }, (_, k) => (k < 20 ? sys * 100 + k : 10_000 + i * 100 + k));
      rows.push({ input: blocks * 16 - Math.floor(rnd() * 10), output: 1 + Math.floor(rnd() * 200), arrivalUs: i * 20_000, ids });
    }
    const table = tableOf(rows);
    // A tiny KV pool forces eviction, chunking and retraction.
    const dep = deployment({ engine: { kind: engine, chunkedPrefillSize: 512, maxRunningRequests: 64 } }, (d) => {
      (d.memory as { kvPoolTokens: number }).kvPoolTokens = 6000;
    });
    const est = linearEstimator({ fixedUs: 2000, perTokenUs: 5, perCtxUs: 0.01 });
    const res = simulate({ dep, table, estimator: est, checkInvariantsEvery: 1 });
    expect(res.summary.completed + res.summary.rejected).toBe(400);
    expect(res.summary.rejected).toBe(0);
    let outTokens = 0;
    for (let i = 0; i < 400; i++) {
      expect(res.outcomes.emittedTokens[i]).toBe(table.outputTokens[i]);
      expect(res.outcomes.finishUs[i]).toBeGreaterThanOrEqual(res.outcomes.firstTokenUs[i]);
      expect(res.outcomes.firstTokenUs[i]).toBeGreaterThan(res.outcomes.arrivalUs[i]);
      outTokens += table.outputTokens[i];
    }
    expect(res.summary.outputTokensPerS * res.summary.simulatedS).toBeCloseTo(outTokens, -1);
  });
});

describe("closed loop and determinism", () => {
  it("keeps exactly `concurrency` requests in flight", () => {
    const est = linearEstimator({ fixedUs: 1000, perTokenUs: 1 });
    const res = simulate({ dep: deployment(), table: closedLoop(8, 64, 512, 32), estimator: est });
    expect(res.summary.completed).toBe(64);
    expect(res.peakInFlight).toBe(8);
  });

  it("same inputs give byte-identical summaries", () => {
    const run = () => JSON.stringify(simulate({ dep: deployment(), table: closedLoop(8, 64, 700, 40), estimator: linearEstimator({ fixedUs: 900, perTokenUs: 2 }) }).summary);
    expect(run()).toBe(run());
  });
});

describe("requests that can never be served", () => {
  it.each(["sglang", "vllm"] as const)("%s: a page larger than the prefill chunk stalls, and the simulation says so instead of reporting percentiles over nothing", (engine) => {
    const est = linearEstimator({ fixedUs: 1000, perTokenUs: 10 });
    const table = tableOf([{ input: 100, output: 5, arrivalUs: 0 }, { input: 300, output: 5, arrivalUs: 10 }]);
    // The input rules reject this deployment (pageSize must divide chunkedPrefillSize); the core must not pass it as a result either.
    const dep = deployment({ engine: { kind: engine, pageSize: 64, chunkedPrefillSize: 16 } });
    let res: ReturnType<typeof simulate> | undefined;
    try {
      res = simulate({ dep, table, estimator: est });
    } catch (e) {
      expect((e as Error).message).toMatch(/requests in flight and no event left; they could never be served/);
      return;
    }
    // An engine that still makes progress must finish every request.
    expect(res.summary.completed).toBe(2);
  });

  it("a request longer than the KV pool is rejected and counted; with none completed, no statistic reads as 0", () => {
    const est = linearEstimator({ fixedUs: 1000, perTokenUs: 10 });
    const dep = deployment();
    const table = tableOf([{ input: dep.memory.kvPoolTokens + 1, output: 5, arrivalUs: 0 }]);
    const res = simulate({ dep, table, estimator: est });
    expect(res.summary).toMatchObject({ requests: 1, completed: 0, rejected: 1 });
    for (const k of ["ttftMs", "tpotMs", "itlMs", "e2eMs"] as const) {
      expect(Number.isNaN(res.summary[k].p50)).toBe(true);
      expect(JSON.parse(JSON.stringify(res.summary[k]))).toEqual({ mean: null, p50: null, p90: null, p99: null });
    }
  });
});
