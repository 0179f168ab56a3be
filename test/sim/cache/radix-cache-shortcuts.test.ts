/**
 * The radix cache's two hot-path shortcuts must not change anything observable:
 * - `match` answering a repeated call from memory (no re-walk, no re-touch) while only unrelated
 *   nodes were evicted in between;
 * - `insertL1` starting below a locked node whose ancestor chain spells the leading blocks.
 * Two caches run the same random operation stream (shaped like a scheduler's: re-checking a queue
 * head under memory pressure, locking admitted prefixes, host locks, backups, host-only inserts);
 * the reference one has both shortcuts off. Every result, count and the final contents must agree.
 */
import { describe, expect, it } from "vitest";
import { newMatchResult } from "../../../src/sim/cache/match-memo.js";
import { RadixCache, type EvictionPolicy } from "../../../src/sim/cache/radix-cache.js";
import { rngStream } from "../../../src/sim/rng.js";

interface Pair {
  ref: RadixCache;
  fast: RadixCache;
}

function pair(policy: EvictionPolicy, l2: number, writeBack: boolean): Pair {
  const opts = { blockSize: 16, l1CapacityBlocks: 60, l2CapacityBlocks: l2, evictionPolicy: policy, writeBackOnEvict: writeBack };
  return { ref: new RadixCache({ ...opts, memoizeMatch: false }), fast: new RadixCache(opts) };
}

const evictOut = () => ({ freedBlocks: 0, writtenBackBlocks: 0 });

function state(c: RadixCache): number[] {
  return [c.l1Blocks, c.l2Blocks, c.l1EvictableBlocks, c.l2FreeBlocks, c.evictionsL1, c.evictionsL2, c.size];
}

describe("radix cache shortcuts change nothing observable", () => {
  it("a hint whose chain only partly spells the blocks is ignored (ids reused under another parent)", () => {
    const { ref, fast } = pair("lfu", 0, false);
    for (const c of [ref, fast]) {
      c.insertL1(Int32Array.from([1, 2, 3]), 0, 3, { blocks: 0 });
      c.insertL1(Int32Array.from([4, 2, 5]), 0, 3, { blocks: 0 }); // 2 is the node under 1: 5 hangs below it
    }
    const five = ref.nodeOf(5);
    ref.lock(five);
    fast.lock(five);
    const seq = Int32Array.from([4, 2, 5, 6]);
    const a = ref.insertL1(seq, 0, 4, { blocks: 0 }, 0);
    const b = fast.insertL1(seq, 0, 4, { blocks: 0 }, 0, five, 3); // 5 <- 2 <- 1 spells [1, 2, 5], not [4, 2, 5]
    expect(b).toBe(a);
    for (const id of [1, 2, 3, 4, 5, 6]) expect(fast.hitCount(fast.nodeOf(id))).toBe(ref.hitCount(ref.nodeOf(id)));
  });

  it.each([
    ["lru", 0, false],
    ["lru", 200, false],
    ["lfu", 200, false],
    ["lru", 200, true],
    ["lfu", 0, false],
  ] as const)("%s, L2 %i blocks, write_back %s", (policy, l2, writeBack) => {
    const r = rngStream(11, `shortcuts-${policy}-${l2}-${writeBack}`);
    const { ref, fast } = pair(policy, l2, writeBack);
    // Prefix-chained ids: (parent id, branch) pairs interned to ids.
    const intern = new Map<string, number>();
    const sequence = (): Int32Array => {
      const len = 1 + r.int(16);
      const seq = new Int32Array(len);
      let parent = -1;
      for (let i = 0; i < len; i++) {
        const key = `${parent}:${i === 0 ? r.int(6) : r.int(3)}`;
        let id = intern.get(key);
        if (id === undefined) intern.set(key, (id = intern.size));
        seq[i] = id;
        parent = id;
      }
      return seq;
    };
    // Locked "requests": their sequence, locked node and leading blocks (same node ids in both caches).
    const held: { seq: Int32Array; node: number; blocks: number }[] = [];
    const hostHeld: number[] = [];
    let head = sequence();
    let matchHits = 0;
    let hinted = 0;
    for (let step = 0; step < 8000; step++) {
      const op = r.int(20);
      if (op < 6) {
        // The scheduler re-checks the head of its queue (often unchanged, often after evictions).
        if (r.int(4) === 0) head = sequence();
        const a = ref.match(head, 0, head.length, newMatchResult());
        const b = fast.match(head, 0, head.length, newMatchResult());
        expect(b).toEqual(a);
        if (a.l1Blocks > 0) matchHits++;
      } else if (op < 9) {
        // Admit the head: lock its L1 prefix, then commit the whole sequence below the lock.
        const m = ref.match(head, 0, head.length, newMatchResult());
        expect(fast.match(head, 0, head.length, newMatchResult())).toEqual(m);
        const need = head.length - m.l1Blocks;
        const free = ref.l1CapacityBlocks - ref.l1Blocks;
        if (m.l1Blocks > 0) {
          ref.lock(m.l1Node);
          fast.lock(m.l1Node);
        }
        if (need > free) {
          expect(fast.evictL1(need - free, evictOut())).toEqual(ref.evictL1(need - free, evictOut()));
        }
        if (ref.l1CapacityBlocks - ref.l1Blocks >= need) {
          const hitFrom = r.int(head.length + 1);
          const outA = { blocks: 0 };
          const outB = { blocks: 0 };
          const a = ref.insertL1(head, 0, head.length, outA, hitFrom);
          // Now and then a wrong hint (another request's locked node): it must be detected and ignored.
          const other = held.length > 0 && r.int(6) === 0 ? held[r.int(held.length)] : undefined;
          const hint = other && other.blocks <= head.length ? other : { node: m.l1Node, blocks: m.l1Blocks };
          const b = fast.insertL1(head, 0, head.length, outB, hitFrom, hint.node, hint.blocks);
          if (m.l1Blocks > 0) hinted++;
          expect([b, outB.blocks]).toEqual([a, outA.blocks]);
          // The pin moves deeper: lock + unlock in the reference, relock in the other.
          ref.lock(a);
          if (m.l1Blocks > 0) ref.unlock(m.l1Node);
          fast.relock(b, m.l1Blocks > 0 ? m.l1Node : 0);
          held.push({ seq: head, node: a, blocks: head.length });
        } else if (m.l1Blocks > 0) {
          ref.unlock(m.l1Node);
          fast.unlock(m.l1Node);
        }
      } else if (op < 11 && held.length > 0) {
        // A request finishes: commit a longer answer below its lock, then release it.
        const h = held.splice(r.int(held.length), 1)[0];
        const ext = new Int32Array(h.seq.length + 2);
        ext.set(h.seq);
        ext[h.seq.length] = 1_000_000 + step * 2;
        ext[h.seq.length + 1] = 1_000_001 + step * 2;
        const free = ref.l1CapacityBlocks - ref.l1Blocks;
        if (free < 2) expect(fast.evictL1(2 - free, evictOut())).toEqual(ref.evictL1(2 - free, evictOut()));
        let keep = false;
        if (ref.l1CapacityBlocks - ref.l1Blocks >= 2) {
          const a = ref.insertL1(ext, 0, ext.length, { blocks: 0 }, h.blocks);
          const b = fast.insertL1(ext, 0, ext.length, { blocks: 0 }, h.blocks, h.node, h.blocks);
          expect(b).toBe(a);
          if (r.int(2) === 0) {
            // Keep holding the longer sequence (a prompt chunk committed, decoding goes on).
            ref.lock(a);
            ref.unlock(h.node);
            fast.relock(b, h.node);
            held.push({ seq: ext, node: a, blocks: ext.length });
            keep = true;
          }
        }
        if (!keep) {
          ref.unlock(h.node);
          fast.unlock(h.node);
        }
      } else if (op < 13) {
        // Memory pressure from elsewhere.
        const k = 1 + r.int(8);
        expect(fast.evictL1(k, evictOut())).toEqual(ref.evictL1(k, evictOut()));
      } else if (op < 15 && l2 > 0) {
        // Back up the matched prefix of a sequence, shallow first.
        const seq = sequence();
        const m = ref.match(seq, 0, seq.length, newMatchResult());
        expect(fast.match(seq, 0, seq.length, newMatchResult())).toEqual(m);
        for (let i = 0; i < m.l1Blocks; i++) {
          const n = ref.nodeOf(seq[i]);
          if (ref.isInL2(n)) continue;
          const ok = ref.reserveL2(1);
          expect(fast.reserveL2(1)).toBe(ok);
          if (!ok) break;
          expect(fast.markBackedUp(n)).toBe(ref.markBackedUp(n));
        }
      } else if (op < 16 && l2 > 0) {
        // A prefetch lands: host-only blocks continuing a host-backed prefix.
        const seq = sequence();
        const m = ref.match(seq, 0, seq.length, newMatchResult());
        expect(fast.match(seq, 0, seq.length, newMatchResult())).toEqual(m);
        const j = m.l1Blocks + m.l2Blocks;
        if (j < seq.length && (j === 0 || ref.isInL2(m.lastNode))) {
          const hold = seq.length - j;
          const ok = ref.holdL2(hold);
          expect(fast.holdL2(hold)).toBe(ok);
          if (ok) {
            ref.releaseL2(hold);
            fast.releaseL2(hold);
            expect(fast.insertL2(seq, 0, j, hold)).toBe(ref.insertL2(seq, 0, j, hold));
          }
        }
      } else if (op < 18 && l2 > 0) {
        // Host locks come and go (load-back, prefetch), re-listing nodes behind their parents.
        if (hostHeld.length > 0 && r.int(2) === 0) {
          const n = hostHeld.splice(r.int(hostHeld.length), 1)[0];
          ref.hostUnlock(n);
          fast.hostUnlock(n);
        } else {
          const m = ref.match(head, 0, head.length, newMatchResult());
          expect(fast.match(head, 0, head.length, newMatchResult())).toEqual(m);
          if (m.lastNode > 0 && ref.isInL2(m.lastNode)) {
            ref.hostLock(m.lastNode);
            fast.hostLock(m.lastNode);
            hostHeld.push(m.lastNode);
          }
        }
      } else if (l2 > 0) {
        const k = 1 + r.int(6);
        expect(fast.evictL2(k)).toBe(ref.evictL2(k));
      }
      const sa = state(ref);
      const sb = state(fast);
      if (sa.some((v, i) => v !== sb[i])) expect({ step, state: sb }).toEqual({ step, state: sa });
      if (step % 1000 === 0) {
        ref.checkInvariants();
        fast.checkInvariants();
      }
    }
    for (let id = 0; id < intern.size; id++) {
      expect(fast.has(id)).toBe(ref.has(id));
      if (ref.has(id)) expect(fast.hitCount(fast.nodeOf(id))).toBe(ref.hitCount(ref.nodeOf(id)));
    }
    // The streams did exercise the shortcuts and the eviction paths.
    expect(matchHits).toBeGreaterThan(300);
    expect(hinted).toBeGreaterThan(50);
    expect(ref.evictionsL1).toBeGreaterThan(200);
  });
});
