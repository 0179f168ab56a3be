/**
 * vLLM V1 scheduling (vllm/v1/core/sched/scheduler.py, Scheduler.schedule): running requests first
 * within the token budget, preemption of the newest running request by recompute when the KV pool
 * runs out, then waiting requests. Computed by hand; prefix caching off, so every KV token is a
 * request's own.
 */
import { describe, expect, it } from "vitest";
import { ReqPhase } from "../../../src/sim/engine/request.js";
import { VllmScheduler } from "../../../src/sim/engine/vllm/scheduler.js";
import { harness, rows, running, stepTokens } from "./harness.js";

const vllm = (maxNumBatchedTokens: number) => ({ engine: { kind: "vllm" as const, chunkedPrefillSize: maxNumBatchedTokens, enablePrefixCaching: false } });

describe("vLLM preemption by recompute", () => {
  it("preempts the newest running requests until the current one fits", () => {
    // Running in admission order, budget 16, pool 168:
    //   A decodes (90-token prompt, 11 out): holds 100.   C decodes (10 + 3 out): holds 12.
    //   B prefills (65-token prompt, 50 done): holds 50.  D decodes (4 + 2 out): holds 5.
    // 167 held, 1 free. A: 1 token (budget 15, 0 free). B: min(15 left, 15) = 15 do not fit:
    // preempt D (5 free), still short; preempt C (17 free): fits. Budget 0: the step is A + B.
    const [A, B, C, D] = [0, 1, 2, 3];
    const h = harness(vllm(16), 168, rows([[90, 50], [65, 10], [10, 20], [4, 20]]));
    running(h, h.reqs[A], 11, 100);
    running(h, h.reqs[B], 0, 50).filled = 50;
    running(h, h.reqs[C], 3, 12);
    running(h, h.reqs[D], 2, 5);
    const s = new VllmScheduler(h);
    expect(s.formBatch(0)).toBe(true);
    expect(stepTokens(h)).toEqual({ [A]: 1, [B]: 15 });
    expect(h.queues.running.map((r) => r.idx)).toEqual([A, B]);
    // Each preempted request went to the front of the waiting queue: C (preempted last) first.
    expect(h.queues.waiting.map((r) => r.idx)).toEqual([C, D]);
    expect(h.stats.retractions).toBe(2);
    const c = h.reqs[C];
    expect([c.phase, c.fillTarget, c.filled, c.privateTokens]).toEqual([ReqPhase.Waiting, 13, 0, 0]);
    expect(h.reqs[D].fillTarget).toBe(6);
    expect(h.kv.freeTokens()).toBe(2);
    expect(h.stats.prefillSteps).toBe(1); // B's chunk is a prefill
  });

  it("preempts the request being scheduled when it is the newest left, and stops the running pass", () => {
    // Budget 64, pool 86: A decodes (50 + 11 out, holds 60), B prefills (50-token prompt, 20 done,
    // holds 20), C decodes (4 + 2 out, holds 5); 1 free. A: 1 token (0 free). B needs 30: preempt
    // C (5 free), still short, and B is now the newest: preempt B (25 free) and stop. Waiting pass:
    // B recomputes from scratch, min(50, 63) = 50 tokens > 25 free: nothing admitted.
    const [A, B, C] = [0, 1, 2];
    const h = harness(vllm(64), 86, rows([[50, 20], [50, 10], [4, 10]]));
    running(h, h.reqs[A], 11, 60);
    running(h, h.reqs[B], 0, 20).filled = 20;
    running(h, h.reqs[C], 2, 5);
    const s = new VllmScheduler(h);
    expect(s.formBatch(0)).toBe(true);
    expect(stepTokens(h)).toEqual({ [A]: 1 });
    expect(h.queues.running.map((r) => r.idx)).toEqual([A]);
    expect(h.queues.waiting.map((r) => r.idx)).toEqual([B, C]);
    expect(h.stats.retractions).toBe(2);
    const b = h.reqs[B];
    expect([b.fillTarget, b.filled, b.privateTokens, b.lockNode]).toEqual([50, 0, 0, 0]);
    expect(h.kv.freeTokens()).toBe(25);
    expect(h.stats.prefillSteps).toBe(0);
  });

  it("a step that preempted admits no waiting request, even with budget and memory left", () => {
    // Budget 64, pool 70: A decodes (40 + 9 out, holds 49), B decodes (10 + 10 out, holds 20),
    // 1 free. A: 1 token (0 free). B: 1 token does not fit: B is the newest, preempt it (20 free)
    // and stop. B (20 tokens to recompute) and then W (5) would both fit budget and pool, but
    // upstream schedules the waiting queue only `if not preempted_reqs`.
    const [A, B, W] = [0, 1, 2];
    const h = harness(vllm(64), 70, rows([[40, 20], [10, 20], [5, 5]]));
    running(h, h.reqs[A], 9, 49);
    running(h, h.reqs[B], 10, 20);
    h.queues.waiting.push(h.reqs[W]);
    const s = new VllmScheduler(h);
    expect(s.formBatch(0)).toBe(true);
    expect(stepTokens(h)).toEqual({ [A]: 1 });
    expect(h.queues.waiting.map((r) => r.idx)).toEqual([B, W]);
    expect(h.kv.freeTokens()).toBe(20);
  });
});

describe("vLLM waiting requests", () => {
  it("admits in order with what the budget leaves, the last one as a partial prefill", () => {
    // Budget 64: W0 40 tokens, W1 min(100, 24) = 24, W2 gets nothing (budget spent).
    const h = harness(vllm(64), 1000, rows([[40, 5], [100, 5], [10, 5]]));
    h.queues.waiting.push(...h.reqs);
    const s = new VllmScheduler(h);
    expect(s.formBatch(0)).toBe(true);
    expect(stepTokens(h)).toEqual({ 0: 40, 1: 24 });
    expect(h.queues.running.map((r) => [r.idx, r.phase])).toEqual([[0, ReqPhase.Running], [1, ReqPhase.Running]]);
    expect(h.queues.waiting.map((r) => r.idx)).toEqual([2]);
  });

  it("stops at the first request the pool cannot hold (no skipping ahead)", () => {
    // Pool 50: W0 40 (10 left); W1's 24 do not fit: admission stops, W2 (10) is not tried.
    const h = harness(vllm(64), 50, rows([[40, 5], [100, 5], [10, 5]]));
    h.queues.waiting.push(...h.reqs);
    const s = new VllmScheduler(h);
    expect(s.formBatch(0)).toBe(true);
    expect(stepTokens(h)).toEqual({ 0: 40 });
    expect(h.queues.waiting.map((r) => r.idx)).toEqual([1, 2]);
    expect(h.reqs[1].filled).toBe(0);
  });

  it("a request locked but left waiting records no prefix hit; its split counts when it is admitted", () => {
    // Block 16, pool 100, 30 held by a running request (70 free). W's 84-token prompt starts with 4
    // host-only blocks: locking loads 64 back (6 free), then its 20 tokens do not fit: unlocked,
    // W waits, and no hit is recorded. Once the running request frees its KV, W is admitted: the hit
    // split of that admission (its 64 tokens, now on the GPU) counts, once.
    const h = harness({ engine: { kind: "vllm", chunkedPrefillSize: 8192 } }, 100, [
      { input: 30, output: 5 },
      { input: 84, output: 1, ids: [11, 12, 13, 14, 15, 16] },
    ], 10);
    h.cache.insertL2(h.table.hashIds, h.table.hashStart[1], h.table.hashStart[1], 4);
    const busy = running(h, h.reqs[0], 0, 30);
    busy.filled = busy.fillTarget;
    const w = h.reqs[1];
    h.queues.waiting.push(w);
    const s = new VllmScheduler(h);
    // The running request's decode token (1) leaves 69 free; W is locked, loads back, and waits.
    expect(s.formBatch(0)).toBe(true);
    expect(stepTokens(h)).toEqual({ 0: 1 });
    expect([w.admittedOnce, w.lockNode, h.stats.hitTokensL1 + h.stats.hitTokensL2]).toEqual([false, 0, 0]);
    h.kv.free(busy);
    h.queues.running.length = 0;
    h.queues.batch.length = 0;
    expect(s.formBatch(1)).toBe(true);
    expect(stepTokens(h)).toEqual({ 1: 20 });
    expect(w.admittedOnce).toBe(true);
    expect(h.stats.hitTokensL1 + h.stats.hitTokensL2).toBe(64);
  });

  it("respects max_num_seqs", () => {
    const h = harness({ engine: { kind: "vllm", maxRunningRequests: 2, enablePrefixCaching: false } }, 1000, rows([[10, 5], [10, 5], [10, 5]]));
    h.queues.waiting.push(...h.reqs);
    new VllmScheduler(h).formBatch(0);
    expect(Object.keys(stepTokens(h))).toEqual(["0", "1"]);
  });
});
