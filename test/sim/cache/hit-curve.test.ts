import { describe, expect, it } from "vitest";
import { fileURLToPath } from "node:url";
import { readTrace } from "../../../src/io/traces/read-trace.js";
import { Rng } from "../../../src/sim/rng.js";
import {
  arrivalOrder, hitCurve, lfuHits, lruReuseProfile,
} from "../../../src/sim/cache/hit-curve.js";
import { reblockTable } from "../../../src/sim/workload/reblock.js";
import type { RequestTable } from "../../../src/sim/workload/request-table.js";
import { generateSynthetic } from "../../../src/sim/workload/synthetic.js";
import { chainViolations, plainLfu, plainLru, randomTrace } from "../workload/helpers.js";

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/traces/${name}`, import.meta.url));

/** A table from explicit (already chained) block ids per request. */
function table(blockSize: number, reqs: { input: number; ids: number[] }[]): RequestTable {
  const hashStart = new Int32Array(reqs.length + 1);
  const all: number[] = [];
  reqs.forEach((r, i) => {
    hashStart[i] = all.length;
    all.push(...r.ids);
  });
  hashStart[reqs.length] = all.length;
  const n = reqs.length;
  return {
    count: n, blockSize,
    arrivalUs: Float64Array.from(reqs.map((_, i) => i)), after: new Int32Array(n).fill(-1), afterDelayUs: new Float64Array(n),
    inputTokens: Int32Array.from(reqs.map((r) => r.input)), outputTokens: new Int32Array(n).fill(1),
    hashStart, hashIds: Int32Array.from(all), sessionId: new Int32Array(n).fill(-1),
  };
}

describe("hit curve, hand-computed", () => {
  // B = 4. r0 [0,1] touched 1 then 0: stack 0,1. r1 [2]: stack 2,0,1. r2 [0,1]: depth(0) = 2,
  // depth(1) = 3, thresholds 2 and max(2,3) = 3. Inputs 8 + 4 + 7 = 19 tokens, 5 blocks;
  // r2's blocks hold 4 and 3 tokens.
  const t = table(4, [{ input: 8, ids: [0, 1] }, { input: 4, ids: [2] }, { input: 7, ids: [0, 1] }]);

  it.each([
    [4, 0, 0],
    [8, 4 / 19, 1 / 5],
    [11, 4 / 19, 1 / 5],
    [12, 7 / 19, 2 / 5],
    [0, 7 / 19, 2 / 5],
    [1000, 7 / 19, 2 / 5],
  ])("capacity %d tokens: token %d, block %d", (c, tok, blk) => {
    const p = hitCurve(t, [c]).points[0];
    expect(p.capacityTokens).toBe(c);
    expect(p.tokenHitRate).toBeCloseTo(tok, 12);
    expect(p.blockHitRate).toBeCloseTo(blk, 12);
  });

  it("counts a request's earlier blocks as more recent than its later ones", () => {
    // r0 [0,1,2] in a 2-block cache keeps 0 and 1 (not 1 and 2), so r1 [0,1] hits both.
    const u = table(4, [{ input: 12, ids: [0, 1, 2] }, { input: 8, ids: [0, 1] }]);
    expect(hitCurve(u, [8]).points[0].blockHitRate).toBeCloseTo(2 / 5, 12);
    expect(hitCurve(u, [8], "lfu").points[0].blockHitRate).toBeCloseTo(2 / 5, 12);
  });

  it("only counts the leading run of cached blocks", () => {
    // r2 [0,5]: 0 cached but 5 new; r3 [0,5,1]? ids are chained, so use a new chain [0,5,6]
    const u = table(4, [{ input: 8, ids: [0, 1] }, { input: 8, ids: [0, 5] }, { input: 12, ids: [0, 5, 6] }]);
    // unbounded: r1 hits 1 block, r2 hits 2 blocks; of 7 blocks / 28 tokens
    const p = hitCurve(u, [0]).points[0];
    expect(p.blockHitRate).toBeCloseTo(3 / 7, 12);
    expect(p.tokenHitRate).toBeCloseTo(12 / 28, 12);
  });

  it("returns the JSON shape of trace hit-curve", () => {
    expect(hitCurve(t, [0, 8])).toEqual({
      blockSize: 4,
      points: [
        { capacityTokens: 0, tokenHitRate: 7 / 19, blockHitRate: 2 / 5 },
        { capacityTokens: 8, tokenHitRate: 4 / 19, blockHitRate: 1 / 5 },
      ],
    });
  });
});

describe("one-pass LRU curve equals a plain LRU simulation", () => {
  it("on random traces with prefix reuse, at every capacity", () => {
    const rng = new Rng(2024);
    for (let trial = 0; trial < 25; trial++) {
      const B = [1, 16, 512][rng.int(3)];
      const t = randomTrace(1000 + trial, 150 + rng.int(250), B, 3 + rng.int(20));
      expect(chainViolations(t)).toEqual([]);
      const order = arrivalOrder(t);
      const profile = lruReuseProfile(t, order);
      const distinct = new Set(t.hashIds).size;
      for (const k of [1, 2, 3, 5, 8, 13, 30, 60, 100, distinct, distinct + 5]) {
        const ref = plainLru(t, k, order);
        const got = profile.hits(k * B);
        expect(got.blocks, `trial ${trial} K=${k}`).toBe(ref.blocks);
        expect(got.tokens, `trial ${trial} K=${k}`).toBe(ref.tokens);
      }
      const unb = plainLru(t, Infinity, order);
      expect(profile.hits(0)).toEqual(unb);
    }
  });

  it("when positions are renumbered many times (long trace over few blocks)", () => {
    const t = randomTrace(7, 3000, 16, 4);
    const order = arrivalOrder(t);
    const profile = lruReuseProfile(t, order);
    for (const k of [1, 4, 10, 40, 200]) expect(profile.hits(k * 16)).toEqual(plainLru(t, k, order));
  });

  it("on synthetic multi-turn sessions (answer blocks inserted, released turns ordered by estimate)", () => {
    const t = generateSynthetic({
      kind: "synthetic", requests: 400, arrival: { process: "poisson", ratePerS: 5 },
      inputTokens: { uniform: [20, 200] }, outputTokens: { uniform: [5, 100] }, blockSize: 16,
      prefix: { systemPrompts: 3, systemPromptTokens: 100, sessions: { turnsMean: 4, thinkTimeMeanS: 5 } },
    }, 11);
    const order = arrivalOrder(t);
    const profile = lruReuseProfile(t, order);
    for (const k of [5, 20, 100, 400, 2000]) expect(profile.hits(k * 16)).toEqual(plainLru(t, k, order));
    // multi-turn reuse makes the unbounded hit rate large
    expect(profile.point(0).tokenHitRate).toBeGreaterThan(0.5);
  });
});

describe("LFU", () => {
  it("matches a plain LFU simulation on random traces", () => {
    for (let trial = 0; trial < 15; trial++) {
      const t = randomTrace(500 + trial, 200, 16, 10);
      const order = arrivalOrder(t);
      for (const k of [1, 3, 10, 40, 150]) expect(lfuHits(t, k, order), `trial ${trial} K=${k}`).toEqual(plainLfu(t, k, order));
    }
  });

  it("unbounded equals LRU unbounded; bounded differs from LRU on the Mooncake slice", async () => {
    const { table: t } = await readTrace(fixture("mooncake-conversation-head1000.jsonl"));
    const lru = hitCurve(t, [0, 3072000]);
    const lfu = hitCurve(t, [0, 3072000], "lfu");
    expect(lfu.points[0]).toEqual(lru.points[0]);
    expect(lfu.points[1].tokenHitRate).not.toBe(lru.points[1].tokenHitRate);
  });
});

describe("Mooncake conversation slice (first 1000 requests)", () => {
  // Expected values computed independently (Python OrderedDict LRU over the same lines).
  it.each([
    [0, 2962776, 5791],
    [102400, 511488, 999],
    [512000, 531456, 1038],
    [1024000, 588660, 1151],
    [3072000, 1757364, 3436],
  ])("capacity %d tokens: %d hit tokens, %d hit blocks", async (c, tokens, blocks) => {
    const { table: t } = await readTrace(fixture("mooncake-conversation-head1000.jsonl"));
    const p = hitCurve(t, [c]).points[0];
    expect(p.tokenHitRate).toBeCloseTo(tokens / 13732944, 12);
    expect(p.blockHitRate).toBeCloseTo(blocks / 27305, 12);
  });
});

describe("re-blocking", () => {
  it("pairs 512-token blocks into 1024-token blocks keeping the chain property", () => {
    const t = randomTrace(3, 300, 512, 9);
    const r = reblockTable(t, 1024);
    expect(r.blockSize).toBe(1024);
    expect(chainViolations(r)).toEqual([]);
    for (let i = 0; i < r.count; i++) {
      expect(r.hashStart[i + 1] - r.hashStart[i]).toBe(Math.ceil(t.inputTokens[i] / 1024));
      // same 1024-block id <=> same pair of 512-block ids (and same prefix)
    }
    const key = new Map<number, string>();
    for (let i = 0; i < r.count; i++) {
      for (let g = 0; g < r.hashStart[i + 1] - r.hashStart[i]; g++) {
        const old = Array.from(t.hashIds.subarray(t.hashStart[i], t.hashStart[i] + Math.min(2 * g + 2, t.hashStart[i + 1] - t.hashStart[i])));
        const k = old.join(",");
        const id = r.hashIds[r.hashStart[i] + g];
        if (key.has(id)) expect(key.get(id)).toBe(k);
        else key.set(id, k);
      }
    }
    expect(new Set(key.values()).size).toBe(key.size);
    // coarser blocks can only lose hits: a 1024-block hits iff both halves hit
    expect(hitCurve(r, [0]).points[0].blockHitRate).toBeLessThanOrEqual(hitCurve(t, [0]).points[0].blockHitRate + 1e-12);
  });

  it("re-blocks synthetic sessions' prompt+answer streams consistently", () => {
    const t = generateSynthetic({
      kind: "synthetic", requests: 300, arrival: { process: "poisson", ratePerS: 5 },
      inputTokens: { uniform: [1, 90] }, outputTokens: { uniform: [1, 60] }, blockSize: 4,
      prefix: { systemPrompts: 2, systemPromptTokens: 30, sessions: { turnsMean: 5 } },
    }, 2);
    for (const m of [2, 3, 8]) {
      const r = reblockTable(t, 4 * m);
      expect(chainViolations(r), `m=${m}`).toEqual([]);
      const order = arrivalOrder(r);
      expect(lruReuseProfile(r, order).hits(0)).toEqual(plainLru(r, Infinity, order));
    }
  });

  it("rejects finer or non-multiple block sizes", () => {
    const t = randomTrace(3, 10, 512, 3);
    expect(() => reblockTable(t, 256)).toThrow(/multiple of 512/);
    expect(() => reblockTable(t, 768)).toThrow(/multiple of 512/);
    expect(reblockTable(t, 512)).toBe(t);
  });
});
