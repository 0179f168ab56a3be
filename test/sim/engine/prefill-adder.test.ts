/**
 * SGLang PrefillAdder budgets (managers/schedule_policy.py), each case computed by hand. Prefix
 * caching is on but the tree starts empty unless a case fills it, so the prefix is 0 unless stated.
 */
import { describe, expect, it } from "vitest";
import { AddReqResult, CLIP_MAX_NEW_TOKENS, PrefillAdder } from "../../../src/sim/engine/sglang/prefill-adder.js";
import { newPrefixMatch } from "../../../src/sim/engine/prefix-cache.js";
import { harness, rows, running, type Harness } from "./harness.js";

function adderOf(h: Harness, pageSize = 1): PrefillAdder {
  return new PrefillAdder(h.kv, h.prefix, h.queues.batch, pageSize);
}

/** add_one_req for table rows in order, as get_new_batch_prefill calls it (stopping at the first non-Continue). */
function addAll(h: Harness, adder: PrefillAdder, idx: number[]): AddReqResult[] {
  const out: AddReqResult[] = [];
  const m = newPrefixMatch();
  for (const i of idx) {
    const res = adder.addOneReq(h.reqs[i], h.prefix.match(h.reqs[i], m));
    out.push(res);
    if (res !== AddReqResult.Continue) break;
  }
  return out;
}

describe("PrefillAdder: rem_total_tokens", () => {
  it("reserves running requests' remaining output x new_token_ratio, then each admitted prompt + its max_new_tokens", () => {
    // Pool 1000. Running R0: 100 of 500 tokens out, holds 200 -> available 800.
    // Reserved: min(500 - 100, 4096) x 0.5 = 200 -> rem_total = 600.
    const h = harness({}, 1000, rows([[190, 500], [300, 100], [100, 150]]));
    running(h, h.reqs[0], 100, 200);
    const adder = adderOf(h);
    adder.reset(h.queues.running, 0.5, 16384, 8192);
    expect(adder.remTotalTokens).toBe(600);
    // W1: 300 + 100 = 400 < 600: admitted whole; rem_total 600 - 400 = 200.
    // W2: 100 + 150 = 250 >= 200: NO_TOKEN, not admitted.
    expect(addAll(h, adder, [1, 2])).toEqual([AddReqResult.Continue, AddReqResult.NoToken]);
    expect(h.queues.batch.map((r) => [r.idx, r.stepTokens])).toEqual([[1, 300]]);
    expect(adder.remTotalTokens).toBe(200);
    expect(adder.remInputTokens).toBe(16384 - 300);
    expect(adder.remChunkTokens).toBe(8192 - 300);
    expect(h.kv.privateTokens).toBe(200 + 300);
    expect(h.reqs[2].lockNode).toBe(0);
  });

  it("clips a running request's reservation at CLIP_MAX_NEW_TOKENS", () => {
    // Running R0 wants 10000 more tokens: reserved min(10000, 4096) x 1.0 = 4096.
    const h = harness({}, 10_000, rows([[50, 10_050]]));
    running(h, h.reqs[0], 50, 100);
    const adder = adderOf(h);
    adder.reset(h.queues.running, 1.0, 16384, 8192);
    expect(CLIP_MAX_NEW_TOKENS).toBe(4096);
    expect(adder.remTotalTokens).toBe(10_000 - 100 - 4096);
    expect(adder.budgetState()).toBe(AddReqResult.Continue);
  });

  it("a request exactly filling rem_total_tokens is refused (total >= rem_total_tokens)", () => {
    const h = harness({}, 1000, rows([[900, 100], [899, 100]]));
    const adder = adderOf(h);
    adder.reset([], 0.7, 16384, 8192);
    expect(addAll(h, adder, [0])).toEqual([AddReqResult.NoToken]); // 900 + 100 = 1000 >= 1000
    expect(addAll(h, adder, [1])).toEqual([AddReqResult.Continue]); // 999 < 1000
    expect(adder.remTotalTokens).toBe(1);
  });

  it("a cached prefix is not charged: only the extend part counts", () => {
    // Block 16. Both prompts start with the same 4 blocks (64 tokens); R0's 6 full blocks are in
    // the tree. R1 (100 tokens, 6 full blocks) matches the 4 shared ones: prefix 64, extend 36.
    const shared = [1, 2, 3, 4];
    const h = harness({}, 1000, [
      { input: 96, output: 1, ids: [...shared, 5, 6] },
      { input: 100, output: 20, ids: [...shared, 7, 8, 9] },
    ]);
    h.cache.insertL1(h.table.hashIds, h.table.hashStart[0], 6, { blocks: 0 });
    const adder = adderOf(h);
    adder.reset([], 0.7, 16384, 8192);
    expect(adder.remTotalTokens).toBe(1000); // 96 tree tokens are free + evictable
    expect(addAll(h, adder, [1])).toEqual([AddReqResult.Continue]);
    const r = h.reqs[1];
    expect([r.filled, r.stepTokens, r.treeBlocks, r.hitL1]).toEqual([64, 36, 4, 64]);
    expect(adder.remTotalTokens).toBe(1000 - 36 - 20);
    expect(adder.remInputTokens).toBe(16384 - 36);
    // The matched 4 blocks are locked now: 2 of R0's 6 tree blocks stay evictable.
    expect(h.cache.l1EvictableBlocks).toBe(2);
  });
});

describe("PrefillAdder: rem_chunk_tokens and chunking", () => {
  it("cuts the request that does not fit the chunk budget to a page multiple and ends the batch", () => {
    // chunked_prefill_size 256, page 16. W0 (100) whole: rem_chunk 156. W1 (400) > 156: first
    // chunk floor(156 / 16) x 16 = 144 tokens; it becomes the chunked request (no output reserved).
    const h = harness({}, 10_000, rows([[100, 10], [400, 10], [50, 10]]));
    const adder = adderOf(h, 16);
    adder.reset([], 0.7, 16384, 256);
    expect(addAll(h, adder, [0, 1, 2])).toEqual([AddReqResult.Continue, AddReqResult.Other]);
    expect(h.queues.batch.map((r) => [r.idx, r.stepTokens])).toEqual([[0, 100], [1, 144]]);
    expect(adder.newChunkedReq).toBe(h.reqs[1]);
    expect(adder.remChunkTokens).toBe(256 - 100 - 144);
    expect(adder.remTotalTokens).toBe(10_000 - 110 - 144);
  });

  it("add_chunked_req: the chunked request's next chunk comes first and is charged its tokens", () => {
    // Chunked C: 1000-token prompt, 600 computed and held. rem_chunk 256 -> next chunk 256.
    const h = harness({}, 10_000, rows([[1000, 10], [30, 5]]));
    const c = h.reqs[0];
    c.filled = 600;
    h.kv.alloc(c, 600);
    const adder = adderOf(h);
    adder.reset([], 0.7, 16384, 256);
    adder.addChunkedReq(c);
    expect(c.stepTokens).toBe(256);
    expect([adder.remChunkTokens, adder.remInputTokens, adder.remTotalTokens]).toEqual([0, 16384 - 256, 10_000 - 600 - 256]);
    expect(adder.budgetState()).toBe(AddReqResult.Other); // rem_chunk_tokens exhausted
  });

  // Block 16. W1's prompt (84 tokens) starts with 4 host-only blocks (64 tokens >= the load-back
  // threshold): 20 tokens to compute once they are loaded back. A running request holds 60 tokens.
  const hostHitCase = (pool: number) => {
    const h = harness({}, pool, [
      { input: 150, output: 10 },
      { input: 84, output: 1, ids: [11, 12, 13, 14, 15, 16] },
    ], 10);
    h.cache.insertL2(h.table.hashIds, h.table.hashStart[1], h.table.hashStart[1], 4);
    h.kv.alloc(h.reqs[0], 60);
    return h;
  };

  it("a host hit counts in rem_total_tokens with the input and output (upstream total_tokens)", () => {
    // Pool 100: rem_total 40. total_tokens = 20 to compute + 64 loaded back + 1 output = 85 >= 40:
    // NO_TOKEN before anything is locked or loaded, and no hit is recorded.
    const h = hostHitCase(100);
    const adder = adderOf(h);
    adder.reset([], 0.7, 16384, 8192);
    expect(adder.remTotalTokens).toBe(40);
    expect(addAll(h, adder, [1])).toEqual([AddReqResult.NoToken]);
    expect(h.queues.batch).toEqual([]);
    const w = h.reqs[1];
    expect([w.lockNode, w.filled, w.admittedOnce, h.stats.hitTokensL2]).toEqual([0, 0, false, 0]);
  });

  it("admitted with its host hit loaded back, the budgets charge the 20 computed tokens once", () => {
    // Pool 200: rem_total 140 > 85. The 64 host tokens load back (GPU room), 20 are computed:
    // rem_total -= 20 + 1 output, rem_input -= 20 (not 20 - 64 again), rem_chunk -= 20.
    const h = hostHitCase(200);
    const adder = adderOf(h);
    adder.reset([], 0.7, 16384, 8192);
    expect(addAll(h, adder, [1])).toEqual([AddReqResult.Continue]);
    expect(h.queues.batch.map((r) => [r.idx, r.filled, r.stepTokens])).toEqual([[1, 64, 20]]);
    expect([adder.remTotalTokens, adder.remInputTokens, adder.remChunkTokens]).toEqual([140 - 21, 16384 - 20, 8192 - 20]);
    expect([h.reqs[1].hitL2, h.stats.hitTokensL2]).toEqual([64, 64]);
  });

  it("the input cap counts the host-hit request's computed tokens only", () => {
    // max_prefill_tokens 40: W0 (30 tokens) is admitted first, 10 left. W1 has 20 tokens to compute
    // (>= 10): OTHER. Upstream's real_input_tokens = extend_input_len - host_hit_length = 20.
    const admit = (maxPrefillTokens: number) => {
      const h = harness({}, 1000, [
        { input: 30, output: 1 },
        { input: 84, output: 1, ids: [11, 12, 13, 14, 15, 16] },
      ], 10);
      h.cache.insertL2(h.table.hashIds, h.table.hashStart[1], h.table.hashStart[1], 4);
      const adder = adderOf(h);
      adder.reset([], 0.7, maxPrefillTokens, 8192);
      return addAll(h, adder, [0, 1]);
    };
    expect(admit(40)).toEqual([AddReqResult.Continue, AddReqResult.Other]);
    // With max_prefill_tokens 51 (21 left after W0), W1's 20 fit.
    expect(admit(51)).toEqual([AddReqResult.Continue, AddReqResult.Continue]);
  });
});

describe("PrefillAdder: --enable-mixed-chunk", () => {
  it("leaves room in the input and chunk budgets for the running requests' decode tokens", () => {
    const h = harness({}, 10_000, rows([[300, 10]]));
    const adder = adderOf(h);
    adder.reset([], 0.7, 16384, 8192, 3); // mixed_with_decode_tokens = 3 running requests
    expect([adder.remInputTokens, adder.remChunkTokens]).toEqual([16384 - 3, 8192 - 3]);
  });
});

describe("PrefillAdder: rem_input_tokens", () => {
  it("stops at the request whose input reaches what is left, but always takes the first", () => {
    // max_prefill_tokens 500: W0 (300) admitted, 200 left; W1 (250 >= 200): OTHER.
    const h = harness({}, 10_000, rows([[300, 10], [250, 10], [10, 10]]));
    const adder = adderOf(h);
    adder.reset([], 0.7, 500, 8192);
    expect(addAll(h, adder, [0, 1, 2])).toEqual([AddReqResult.Continue, AddReqResult.Other]);
    expect(h.queues.batch.map((r) => r.idx)).toEqual([0]);

    // max_prefill_tokens 100: the first request (300) is still taken; then the budget is spent.
    const h2 = harness({}, 10_000, rows([[300, 10], [10, 10]]));
    const a2 = adderOf(h2);
    a2.reset([], 0.7, 100, 8192);
    expect(addAll(h2, a2, [0])).toEqual([AddReqResult.Continue]);
    expect(a2.remInputTokens).toBe(-200);
    expect(a2.budgetState()).toBe(AddReqResult.Other);
  });
});
