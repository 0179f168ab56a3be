/** SGLang LPM ordering (SchedulePolicy._sort_by_longest_prefix), computed by hand. */
import { describe, expect, it } from "vitest";
import { SchedulePolicy } from "../../../src/sim/engine/sglang/schedule-policy.js";
import { harness } from "./harness.js";

// Tree (block 16): chain 1-2-3 and a lone 9. Prompts are whole blocks; the last block is never a
// hit (its last token is recomputed), so W3 (1 2 3 4) matches 3, W1 (1 2 8) matches 2.
const prompts = [[5, 6, 7], [1, 2, 8], [9, 10], [1, 2, 3, 4], [1, 11]];
const expected = [3, 1, 2, 4, 0]; // hits 3, 2, 1, 1 (queue order among ties), 0

function setup(policy: "lpm" | "fcfs") {
  const h = harness({ engine: { schedulePolicy: policy } }, 10_000, prompts.map((ids) => ({ input: 16 * ids.length, output: 1, ids })));
  h.cache.insertL1(Int32Array.from([1, 2, 3]), 0, 3, { blocks: 0 });
  h.cache.insertL1(Int32Array.from([9]), 0, 1, { blocks: 0 });
  return { h, p: new SchedulePolicy(policy, h.cache, h.table, h.prefix) };
}

describe("SGLang SchedulePolicy", () => {
  it("lpm: longest cached prefix first, ties in queue order", () => {
    const { h, p } = setup("lpm");
    const waiting = [...h.reqs];
    p.calcPriority(waiting);
    expect(waiting.map((r) => r.idx)).toEqual(expected);
  });

  it("fcfs keeps arrival order; lpm does too beyond 128 waiting requests", () => {
    const a = setup("fcfs");
    const w = [...a.h.reqs];
    a.p.calcPriority(w);
    expect(w.map((r) => r.idx)).toEqual([0, 1, 2, 3, 4]);

    const b = setup("lpm");
    const long = Array.from({ length: 129 }, (_, i) => b.h.reqs[i % 5]);
    const before = long.map((r) => r.idx);
    b.p.calcPriority(long);
    expect(long.map((r) => r.idx)).toEqual(before);
    const at128 = long.slice(0, 128); // at 128 it still sorts
    b.p.calcPriority(at128);
    expect([at128[0].idx, at128[127].idx]).toEqual([3, 0]);
  });
});
