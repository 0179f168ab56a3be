/**
 * SGLang retraction (ScheduleBatch.retract_decode, Scheduler.update_running_batch), computed by
 * hand. Prefix caching is off so every KV token is a request's own and the pool arithmetic is
 * plain.
 */
import { describe, expect, it } from "vitest";
import { ReqPhase } from "../../../src/sim/engine/request.js";
import { retractDecode } from "../../../src/sim/engine/sglang/schedule-batch.js";
import { SglangScheduler } from "../../../src/sim/engine/sglang/scheduler.js";
import { harness, rows, running, stepTokens } from "./harness.js";

const NO_CACHE = { engine: { enablePrefixCaching: false } };

// Five running requests: [input, output limit] and (tokens out, KV held). Pool 802 = the 802 held.
//   A: 100/200, 50 out, holds 150      D: 50/100, 80 out, holds 130
//   B: 300/100, 10 out, holds 310      E: 4/50,    5 out, holds 2
//   C: 200/100, 10 out, holds 210
// retract_decode keeps the most output first, then the least input: D(80) A(50) C(10, 200 in)
// B(10, 300 in) E(5). A decode step needs one token each (5); 0 are free. Retract E: 2 free < 4
// still needed; retract B: 312 free >= 3. D, A, C stay.
const A = 0, B = 1, C = 2, D = 3, E = 4;
function fiveRunning() {
  const h = harness(NO_CACHE, 802, rows([[100, 200], [300, 100], [200, 100], [50, 100], [4, 50]]));
  const held: [number, number][] = [[50, 150], [10, 310], [10, 210], [80, 130], [5, 2]];
  held.forEach(([out, tokens], i) => running(h, h.reqs[i], out, tokens));
  return h;
}

describe("SGLang retract_decode", () => {
  it("retracts the least output first (the most input among equals) until the decode step fits", () => {
    const h = fiveRunning();
    const ratio = retractDecode(h, 1);
    expect(h.queues.running.map((r) => r.idx)).toEqual([D, A, C]);
    expect(h.queues.waiting.map((r) => r.idx)).toEqual([E, B]);
    expect(h.stats.retractions).toBe(2);
    expect(h.kv.freeTokens()).toBe(312);
    // Retracted requests recompute prompt + generated tokens, holding nothing meanwhile.
    const b = h.reqs[B];
    expect([b.phase, b.fillTarget, b.filled, b.privateTokens]).toEqual([ReqPhase.Waiting, 310, 0, 0]);
    expect(h.reqs[E].fillTarget).toBe(9);
    // new_token_ratio = (decoded + 20 x running) / (sum of max_new_tokens + 1)
    //                 = (80 + 50 + 10 + 60) / (100 + 200 + 100 + 1) = 200 / 401.
    expect(ratio).toBeCloseTo(200 / 401, 12);
  });

  it("0.5.1 keeps retracting until 20 tokens per remaining request are free; 0.5.3+ until the next step fits", () => {
    // As above but E holds 6: retracting E frees 6 for 4 remaining requests. The next decode step
    // (4 tokens) fits, so 0.5.3+ stops; 0.5.1 needs 4 x 20 = 80 free, retracts B too (316 >= 60).
    const pool = (retractSteps: number) => {
      const h = harness(NO_CACHE, 806, rows([[100, 200], [300, 100], [200, 100], [50, 100], [4, 50]]));
      const held: [number, number][] = [[50, 150], [10, 310], [10, 210], [80, 130], [5, 6]];
      held.forEach(([out, tokens], i) => running(h, h.reqs[i], out, tokens));
      retractDecode(h, retractSteps);
      return h.queues.running.map((r) => r.idx);
    };
    expect(pool(1)).toEqual([D, A, C, B]);
    expect(pool(20)).toEqual([D, A, C]);
  });

  it("never retracts the last running request", () => {
    const h = harness(NO_CACHE, 100, rows([[90, 50]]));
    running(h, h.reqs[0], 10, 100);
    const ratio = retractDecode(h, 1);
    expect(h.queues.running.length).toBe(1);
    expect(h.stats.retractions).toBe(0);
    expect(ratio).toBeCloseTo((10 + 20) / 51, 12);
  });
});

describe("SGLang update_running_batch", () => {
  it("decodes the requests that stay with the re-estimated new_token_ratio, not decayed in that step", () => {
    const h = fiveRunning();
    const s = new SglangScheduler(h);
    expect(s.formBatch(0)).toBe(true);
    expect(stepTokens(h)).toEqual({ [D]: 1, [A]: 1, [C]: 1 });
    expect(h.kv.freeTokens()).toBe(312 - 3);
    // update_running_batch sets the retraction's estimate and decays only in steps without one.
    expect(s.newTokenRatio).toBeCloseTo(200 / 401, 12);
    expect(h.stats.prefillSteps).toBe(0);
  });

  it("without memory pressure the ratio only decays from its initial 0.7 (init 0.7, min 0.098, over 600 steps)", () => {
    const h = harness(NO_CACHE, 1000, rows([[100, 10]]));
    running(h, h.reqs[0], 1, 100);
    const s = new SglangScheduler(h);
    expect(s.formBatch(0)).toBe(true);
    expect(s.newTokenRatio).toBeCloseTo(0.7 - 0.602 / 600, 12);
    expect(h.stats.retractions).toBe(0);
  });

  it("retracts the chunked request when the last running request's token still does not fit", () => {
    // Pool 300. R runs (95-token prompt, 5 out, holds 100); chunked C has 200 of its 500-token
    // prompt computed and held: 0 free, so W (waiting) cannot be admitted: decode. R alone is never
    // retracted, so C is (to the front of the waiting queue, ahead of W) and R decodes.
    const h = harness(NO_CACHE, 300, rows([[95, 50], [500, 10], [20, 5]]));
    h.queues.waiting.push(h.reqs[2]);
    running(h, h.reqs[0], 5, 100);
    const c = h.reqs[1];
    c.filled = 200;
    h.kv.alloc(c, 200);
    h.queues.chunked = c;
    // C's next chunk (its remaining 300 tokens) cannot be allocated: the prefill batch is empty.
    const s = new SglangScheduler(h);
    expect(s.formBatch(0)).toBe(true);
    expect(stepTokens(h)).toEqual({ 0: 1 });
    expect(h.queues.chunked).toBeNull();
    expect(h.queues.waiting.map((r) => r.idx)).toEqual([1, 2]);
    expect([c.fillTarget, c.filled, c.privateTokens]).toEqual([500, 0, 0]);
    expect(h.stats.retractions).toBe(1);
    // retract_decode ran with R alone: ratio (5 + 20) / (50 + 1), not decayed in that step.
    expect(s.newTokenRatio).toBeCloseTo(25 / 51, 12);
  });
});
