import { describe, expect, it } from "vitest";
import { newMatchResult } from "../../../src/sim/cache/match-memo.js";
import { RadixCache } from "../../../src/sim/cache/radix-cache.js";
import { rngStream } from "../../../src/sim/rng.js";

const ids = (...xs: number[]) => Int32Array.from(xs);
const cache = (l1: number, l2 = 0, policy: "lru" | "lfu" = "lru", writeBack = false) =>
  new RadixCache({ blockSize: 16, l1CapacityBlocks: l1, l2CapacityBlocks: l2, evictionPolicy: policy, writeBackOnEvict: writeBack });

describe("radix cache", () => {
  it("matches the leading L1 blocks, then host-only ones", () => {
    const c = cache(10, 10);
    const a = ids(1, 2, 3, 4);
    c.insertL1(a, 0, 4, { blocks: 0 });
    const m = c.match(ids(1, 2, 3, 9), 0, 4, newMatchResult());
    expect([m.l1Blocks, m.l2Blocks]).toEqual([3, 0]);
    // Back up everything, evict the two deepest from L1: they stay as host-only.
    for (const id of [1, 2, 3, 4]) expect(c.markBackedUp(c.nodeOf(id))).toBe(true);
    const r = c.evictL1(2, { freedBlocks: 0, writtenBackBlocks: 0 });
    expect(r.freedBlocks).toBe(2);
    const m2 = c.match(a, 0, 4, newMatchResult());
    expect([m2.l1Blocks, m2.l2Blocks]).toEqual([2, 2]);
    c.checkInvariants();
  });

  it("evicts least recently used leaves first and never a locked node", () => {
    const c = cache(6);
    c.insertL1(ids(1, 2, 3), 0, 3, { blocks: 0 }); // path A
    c.insertL1(ids(1, 4, 5), 0, 3, { blocks: 0 }); // path B shares block 1
    const lockNode = c.nodeOf(3);
    c.lock(lockNode); // pins 1,2,3
    const r = c.evictL1(5, { freedBlocks: 0, writtenBackBlocks: 0 });
    expect(r.freedBlocks).toBe(2); // only 5 then 4 are evictable
    expect(c.has(4)).toBe(false);
    expect(c.has(3)).toBe(true);
    c.unlock(lockNode);
    c.evictL1(1, { freedBlocks: 0, writtenBackBlocks: 0 });
    expect(c.has(3)).toBe(false); // the leaf goes before its parents
    expect(c.has(2)).toBe(true);
    c.checkInvariants();
  });

  it("LFU evicts the least hit leaf", () => {
    const c = cache(10, 0, "lfu");
    c.insertL1(ids(1, 2), 0, 2, { blocks: 0 });
    c.insertL1(ids(1, 3), 0, 2, { blocks: 0 });
    c.insertL1(ids(1, 3), 0, 2, { blocks: 0 }); // block 3 hit twice
    c.insertL1(ids(1, 2), 0, 2, { blocks: 0 }); // block 2 hit twice, most recent
    c.insertL1(ids(1, 3), 0, 2, { blocks: 0 }); // block 3 hit three times
    c.evictL1(1, { freedBlocks: 0, writtenBackBlocks: 0 });
    expect(c.has(2)).toBe(false);
    expect(c.has(3)).toBe(true);
  });

  it("write_back copies a leaf to L2 on eviction", () => {
    const c = cache(4, 4, "lru", true);
    c.insertL1(ids(1, 2), 0, 2, { blocks: 0 });
    const r = c.evictL1(2, { freedBlocks: 0, writtenBackBlocks: 0 });
    expect(r.writtenBackBlocks).toBe(2);
    const m = c.match(ids(1, 2), 0, 2, newMatchResult());
    expect([m.l1Blocks, m.l2Blocks]).toEqual([0, 2]);
    c.checkInvariants();
  });

  it("host-only inserts continue only a host-backed prefix", () => {
    const c = cache(8, 8);
    c.insertL1(ids(1), 0, 1, { blocks: 0 });
    expect(c.insertL2(ids(1, 2, 3), 0, 1, 2)).toBe(0); // block 1 has no host copy
    c.markBackedUp(c.nodeOf(1));
    expect(c.reserveL2(2)).toBe(true);
    expect(c.insertL2(ids(1, 2, 3), 0, 1, 2)).toBe(2);
    const m = c.match(ids(1, 2, 3), 0, 3, newMatchResult());
    expect([m.l1Blocks, m.l2Blocks]).toEqual([1, 2]);
    c.checkInvariants();
  });

  it("a node re-listed after a host lock lands behind its parent: eviction takes the leaf, not the older parent", () => {
    // L1: insert 1 -> 2; the list is [2, 1] (the parent is touched last). A host lock on 2 (prefetch
    // or load-back) takes it off the list and its release appends it: [1, 2], the parent first.
    const c = cache(4, 4);
    c.insertL1(ids(1, 2), 0, 2, { blocks: 0 });
    const two = c.nodeOf(2);
    c.hostLock(two);
    c.hostUnlock(two);
    expect(c.evictL1(1, { freedBlocks: 0, writtenBackBlocks: 0 }).freedBlocks).toBe(1);
    expect([c.has(1), c.has(2)]).toEqual([true, false]);
    c.checkInvariants();
    // L2: both blocks host-only, then the same host lock dance on the child.
    const h = cache(4, 4);
    h.insertL1(ids(1, 2), 0, 2, { blocks: 0 });
    for (const id of [1, 2]) {
      expect(h.reserveL2(1)).toBe(true);
      h.markBackedUp(h.nodeOf(id));
    }
    h.evictL1(2, { freedBlocks: 0, writtenBackBlocks: 0 });
    h.match(ids(1, 2), 0, 2, newMatchResult());
    h.hostLock(h.nodeOf(2));
    h.hostUnlock(h.nodeOf(2));
    expect(h.evictL2(1)).toBe(1);
    expect([h.has(1), h.has(2)]).toEqual([true, false]);
    h.checkInvariants();
  });

  it.each(["lru", "lfu"] as const)("keeps its invariants under random operations (%s)", (policy) => {
    const r = rngStream(5, `radix-${policy}`);
    const c = cache(200, 300, policy, policy === "lfu");
    const locks: number[] = [];
    const intern = new Map<string, number>();
    for (let step = 0; step < 20_000; step++) {
      const len = 1 + r.int(12);
      const root = r.int(30);
      // Prefix-chained ids: intern (parent id, branch) pairs.
      const seq = new Int32Array(len);
      let parent = -1;
      for (let i = 0; i < len; i++) {
        const key = `${parent}:${i === 0 ? root : r.int(3)}`;
        let id = intern.get(key);
        if (id === undefined) intern.set(key, (id = intern.size));
        seq[i] = id;
        parent = id;
      }
      const op = r.int(10);
      if (op < 5) {
        const need = len - c.match(seq, 0, len, newMatchResult()).l1Blocks;
        const free = c.l1CapacityBlocks - c.l1Blocks;
        if (need > free) c.evictL1(need - free, { freedBlocks: 0, writtenBackBlocks: 0 });
        if (c.l1CapacityBlocks - c.l1Blocks >= need) {
          const last = c.insertL1(seq, 0, len, { blocks: 0 });
          if (r.int(3) === 0) {
            c.lock(last);
            locks.push(last);
          }
        }
      } else if (op < 7 && locks.length > 0) {
        const i = r.int(locks.length);
        c.unlock(locks[i]);
        locks.splice(i, 1);
      } else if (op < 9) {
        // back up a random matched prefix
        const m = c.match(seq, 0, len, newMatchResult());
        for (let i = 0; i < m.l1Blocks + m.l2Blocks; i++) {
          const n = c.nodeOf(seq[i]);
          if (!c.isInL2(n) && c.reserveL2(1)) c.markBackedUp(n);
        }
      } else {
        c.evictL1(1 + r.int(20), { freedBlocks: 0, writtenBackBlocks: 0 });
      }
      for (const n of locks) expect(c.isInL1(n)).toBe(true);
      if (step % 500 === 0) c.checkInvariants();
    }
    c.checkInvariants();
    expect(c.evictionsL1).toBeGreaterThan(0);
  });
});
