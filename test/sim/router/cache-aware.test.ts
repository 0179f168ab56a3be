import { describe, expect, it } from "vitest";
import { CacheAwareRouter } from "../../../src/sim/router/cache-aware.js";
import { cfg, ConversationIds, req } from "./fixtures.js";

describe("cache_aware routing", () => {
  it("keeps a growing conversation on one worker until the imbalance thresholds trip, then takes the shortest queue", () => {
    // Defaults: abs 64, rel 1.5, threshold 0.3. Nothing completes, so the sticky worker's load grows.
    const r = new CacheAwareRouter(cfg(), 4);
    const conv = new ConversationIds([]);
    const got: number[] = [];
    for (let turn = 1; turn <= 75; turn++) got.push(r.route(req(conv.turn(0, turn === 1 ? 4 : 1)), turn));
    const expected = [
      ...new Array(65).fill(0), // turn 1: no match -> least loaded (all 0) = 0; then cache hits on 0
      1, 2, 3, // loads 65,0,0,0: 65 > 64 and 65 > 0 -> shortest queue (and the tree learns it)
      ...new Array(7).fill(3), // 65,1,1,1: max - min = 64, not > 64 -> balanced; deepest node owned by 3
    ];
    expect(got).toEqual(expected);
    expect(r.stats).toEqual({ imbalanced: 3, cacheHit: 71, lowMatch: 1, evictions: 0 });
    expect(Array.from(r.inFlight)).toEqual([65, 1, 1, 8]);
    // The shortest-queue routes were inserted for their workers.
    const turn66 = conv.turn(0, 0).slice(0, 4 + 65);
    expect(r.tree.tenantPrefixBlocks(turn66, 1)).toBe(69);
    expect(r.tree.tenantPrefixBlocks(turn66, 0)).toBe(68);
  });

  it("sends a prompt whose match rate is at or below the threshold to the least-loaded worker", () => {
    const r = new CacheAwareRouter(cfg({ cacheThreshold: 0.3 }), 3);
    const sys = [1, 2, 3]; // shared 3-block system prompt
    let id = 100;
    const fresh = (k: number): number[] => sys.concat(Array.from({ length: k }, () => id++));
    // First: nothing matches -> least loaded = 0.
    expect(r.route(req(fresh(7)), 0)).toBe(0);
    // 3 of 10 blocks match = 0.3, not > 0.3 -> least loaded: 1, then 2 (ties to the lowest index).
    expect(r.route(req(fresh(7)), 0)).toBe(1);
    expect(r.route(req(fresh(7)), 0)).toBe(2);
    r.onComplete(1, 0);
    expect(r.route(req(fresh(7)), 0)).toBe(1);
    // 3 of 9 blocks = 0.33 > 0.3 -> the most recent owner of the system prompt (worker 1, just now).
    expect(r.route(req(fresh(6)), 0)).toBe(1);
    expect(r.stats).toEqual({ imbalanced: 0, cacheHit: 1, lowMatch: 4, evictions: 0 });
  });

  it.each([
    // loads of workers 0 and 1 (worker 0 owns the prompt), abs, rel, expected worker
    [[4, 2], 2, 1.5, 0], // diff 2, not > 2: balanced -> cache hit on 0
    [[5, 2], 2, 1.5, 1], // diff 3 > 2 and 5 > 3: imbalanced -> shortest queue
    [[6, 4], 2, 1.5, 0], // diff 2: balanced
    [[7, 4], 2, 1.5, 1], // 3 > 2 and 7 > 6: imbalanced
    [[9, 6], 2, 1.5, 0], // 9 > 9 is false: balanced
    [[3, 1], 1, 1.0001, 1],
    [[65, 0], 64, 1.5, 1], // defaults: one worker at 65 with another idle trips it
    [[64, 0], 64, 1.5, 0],
  ])("loads %j with abs %d rel %d -> worker %d", (loads, abs, rel, want) => {
    const r = new CacheAwareRouter(cfg({ balanceAbsThreshold: abs, balanceRelThreshold: rel }), 2);
    r.route(req([1, 2, 3, 4]), 0); // worker 0 owns [1,2,3,4]
    r.inFlight.set(loads);
    expect(r.route(req([1, 2, 3, 4, 5]), 0)).toBe(want);
  });

  it("compares the match rate in f32 and strictly", () => {
    // 1 of 2 blocks = 0.5: not > 0.5 -> least loaded (worker 1, since 0 holds the first request).
    const r = new CacheAwareRouter(cfg({ cacheThreshold: 0.5 }), 2);
    r.route(req([1]), 0);
    expect(r.route(req([1, 2]), 0)).toBe(1);
    // A partial last block: 16 of 31 tokens = 0.516 > 0.5 -> the owner of block 1 (worker 1 now).
    expect(r.route(req([1, 3], { inputTokens: 31 }), 0)).toBe(1);
  });

  it("evicts each over-size worker's LRU leaves every evictionIntervalS, leaving other workers' paths", () => {
    // 16 tokens a block; cap 64 tokens = 4 blocks per worker.
    const r = new CacheAwareRouter(cfg({ maxTreeSize: 64, evictionIntervalS: 10, cacheThreshold: 0.3 }), 2);
    const a1 = [1, 2, 3];
    const a2 = [1, 2, 3, 4, 5];
    const b = [20, 21];
    expect(r.housekeeping(0)).toBe(10e6);
    expect(r.route(req(a1), 1e6)).toBe(0);
    expect(r.route(req(b), 2e6)).toBe(1); // no match -> least loaded
    expect(r.route(req(a2), 3e6)).toBe(0); // 3/5 > 0.3 -> worker 0
    expect(r.route(req([30, 31, 32]), 4e6)).toBe(1); // fresh -> least loaded is 1 (loads 2,1)
    expect(Array.from(r.tree.tenantChars)).toEqual([80, 80]);
    expect(r.housekeeping(9_999_999)).toBe(10e6); // not due: nothing evicted
    expect(Array.from(r.tree.tenantChars)).toEqual([80, 80]);
    expect(r.housekeeping(10e6)).toBe(20e6);
    // Worker 0: its only leaf is node 5 -> 64. Worker 1: LRU leaf 21 (older than 32) -> 64.
    expect(Array.from(r.tree.tenantChars)).toEqual([64, 64]);
    expect(r.tree.tenantPrefixBlocks(a2, 0)).toBe(4);
    expect(r.tree.tenantPrefixBlocks(b, 1)).toBe(1);
    expect(r.tree.tenantPrefixBlocks([30, 31, 32], 1)).toBe(3);
    expect(r.stats.evictions).toBe(1);
  });
});
