import { describe, expect, it } from "vitest";
import { ApproxTree, promptBlockCount } from "../../../src/sim/router/approx-tree.js";
import { Int32IndexMap } from "../../../src/sim/util/int-index-map.js";
import { rngStream } from "../../../src/sim/rng.js";
import { req } from "./fixtures.js";

function match(t: ApproxTree, blocks: number[], inputTokens?: number): [number, number] {
  t.prefixMatch(req(blocks, { inputTokens }));
  return [t.matchedChars, t.matchedTenant];
}

describe("promptBlockCount", () => {
  it.each([
    // blocks available, inputTokens, blockSize, expected
    [3, 48, 16, 3],
    [3, 40, 16, 3],
    [3, 32, 16, 2], // a trailing answer block is not prompt
    [3, 100, 16, 3], // fewer ids than tokens: every id counts
    [3, 0, 16, 0],
    [0, 50, 16, 0],
  ])("%i ids, %i tokens, block %i -> %i", (nIds, tokens, bs, want) => {
    expect(promptBlockCount(req(Array.from({ length: nIds }, (_, i) => i + 1), { inputTokens: tokens, blockSize: bs }))).toBe(want);
  });
});

describe("ApproxTree insert and prefixMatch", () => {
  it("matches whole blocks and counts the partial last block at its own size", () => {
    const t = new ApproxTree(3);
    t.insert(req([1, 2, 3], { inputTokens: 40 }), 0); // 16 + 16 + 8
    expect(Array.from(t.tenantChars)).toEqual([40, 0, 0]);
    expect(t.nodeCount).toBe(4);
    expect(match(t, [1, 2, 3], 40)).toEqual([40, 0]);
    expect(match(t, [1, 2, 9])).toEqual([32, 0]);
    expect(match(t, [1, 2], 30)).toEqual([30, 0]); // last block worth 14 for this request
    expect(match(t, [7, 1])).toEqual([0, -1]);
    expect(match(t, [])).toEqual([0, -1]);
  });

  it("counts each node once per tenant and picks the most recently stamped tenant", () => {
    const t = new ApproxTree(3);
    t.insert(req([1, 2, 3]), 0);
    t.insert(req([1, 2, 4]), 1);
    t.insert(req([1, 2, 3]), 0); // already there: no double count
    expect(Array.from(t.tenantChars)).toEqual([48, 48, 0]);
    expect(t.nodeCount).toBe(5);
    // Node 2 was last stamped by tenant 0's second insert.
    expect(match(t, [1, 2, 5])).toEqual([32, 0]);
    t.insert(req([1, 2, 4]), 1);
    expect(match(t, [1, 2, 5])).toEqual([32, 1]);
    // Matching [1,2,3] picks tenant 0 (only owner of node 3) and re-stamps it up to the root...
    expect(match(t, [1, 2, 3])).toEqual([48, 0]);
    // ...so tenant 0 is now the most recent at node 2.
    expect(match(t, [1, 2, 5])).toEqual([32, 0]);
  });

  it("rejects block ids that are not prefix-chained", () => {
    const t = new ApproxTree(2);
    t.insert(req([1, 2]), 0);
    t.insert(req([3]), 0);
    expect(() => t.prefixMatch(req([3, 2]))).toThrow(/prefix-chained/);
    expect(() => new ApproxTree(1).insert(req([4, 4]), 0)).toThrow(/prefix-chained/);
    expect(() => new ApproxTree(1).insert(req([5, 6]), 0)).not.toThrow();
  });
});

describe("ApproxTree eviction", () => {
  /** Tenant 0: [1,2,3] (oldest), [1,2,4], [10,11]; tenant 1: [1,2,3] (newest). 16 chars a block. */
  function scenario(): ApproxTree {
    const t = new ApproxTree(2);
    t.insert(req([1, 2, 3]), 0);
    t.insert(req([1, 2, 4]), 0);
    t.insert(req([10, 11]), 0);
    t.insert(req([1, 2, 3]), 1);
    expect(Array.from(t.tenantChars)).toEqual([96, 48]);
    return t;
  }

  it("removes the tenant's least recently used leaves until it is at or under the cap", () => {
    const t = scenario();
    t.evictOverSize(64);
    // LRU order of tenant 0's leaves: node 3 (stays for tenant 1), node 4 (deleted) -> 64, done.
    expect(Array.from(t.tenantChars)).toEqual([64, 48]);
    expect(t.tenantPrefixBlocks([1, 2, 3], 0)).toBe(2);
    expect(t.tenantPrefixBlocks([1, 2, 4], 0)).toBe(2);
    expect(t.tenantPrefixBlocks([10, 11], 0)).toBe(2);
    expect(t.tenantPrefixBlocks([1, 2, 3], 1)).toBe(3);
    expect(t.nodeCount).toBe(6); // root, 1, 2, 3, 10, 11
    expect(match(t, [1, 2, 4])).toEqual([32, 1]); // node 4 is gone; node 2 last stamped by tenant 1
  });

  it("climbs to a parent once it becomes the tenant's leaf, oldest first, leaving other tenants intact", () => {
    const t = scenario();
    t.evictOverSize(50);
    // 3 (e1) -> 80, 4 (e2) -> 64, then node 2 (stamped e2) before node 11 (e3) -> 48 <= 50.
    expect(Array.from(t.tenantChars)).toEqual([48, 48]);
    expect(t.tenantPrefixBlocks([1, 2, 3], 0)).toBe(1);
    expect(t.tenantPrefixBlocks([10, 11], 0)).toBe(2);
    expect(t.tenantPrefixBlocks([1, 2, 3], 1)).toBe(3);
    expect(t.nodeCount).toBe(6);
  });

  it("empties the tree at cap 0 and then accepts the same ids again", () => {
    const t = scenario();
    t.evictOverSize(0);
    expect(Array.from(t.tenantChars)).toEqual([0, 0]);
    expect(t.nodeCount).toBe(1);
    expect(match(t, [1, 2, 3])).toEqual([0, -1]);
    t.insert(req([1, 2, 3]), 1);
    expect(match(t, [1, 2, 3])).toEqual([48, 1]);
    expect(t.nodeCount).toBe(4);
  });

  it("agrees with a naive reference tree on random operations", () => {
    for (let seed = 1; seed <= 4; seed++) {
      const rng = rngStream(seed, "tree-property");
      const T = 4;
      const t = new ApproxTree(T, 16);
      const m = new NaiveTree(T);
      // Prefix-chained prompts: a pool of conversations that grow.
      const convs: number[][] = [];
      let nextId = 1;
      for (let step = 0; step < 1500; step++) {
        let prompt: number[];
        if (convs.length < 4 || rng.next() < 0.2) {
          const base = convs.length > 0 && rng.next() < 0.5 ? convs[rng.int(convs.length)].slice(0, 1 + rng.int(3)) : [];
          prompt = base.concat(Array.from({ length: 1 + rng.int(4) }, () => nextId++));
          convs.push(prompt);
        } else {
          const c = rng.int(convs.length);
          prompt = convs[c].concat(Array.from({ length: rng.int(3) }, () => nextId++));
          convs[c] = prompt;
        }
        const tokens = (prompt.length - 1) * 16 + 1 + rng.int(16);
        const r = req(prompt, { inputTokens: tokens });
        const op = rng.next();
        if (op < 0.5) {
          t.prefixMatch(r);
          const [chars, tenant] = m.prefixMatch(prompt, tokens);
          expect([t.matchedChars, t.matchedTenant]).toEqual([chars, tenant]);
          const w = tenant >= 0 && rng.next() < 0.7 ? tenant : rng.int(T);
          t.insert(r, w);
          m.insert(prompt, tokens, w);
        } else if (op < 0.97) {
          const w = rng.int(T);
          t.insert(r, w);
          m.insert(prompt, tokens, w);
        } else {
          const cap = rng.int(400);
          t.evictOverSize(cap);
          m.evict(cap);
        }
        expect(Array.from(t.tenantChars)).toEqual(m.tenantChars);
      }
      expect(t.nodeCount).toBe(m.nodes.size + 1);
      for (const c of convs) for (let w = 0; w < T; w++) expect(t.tenantPrefixBlocks(c, w)).toBe(m.prefixBlocks(c, w));
    }
  });
});

/** A slow, obviously-correct model of the tree's rules, keyed by block id. */
class NaiveTree {
  nodes = new Map<number, { parent: number; chars: number; stamps: Map<number, number> }>();
  rootStamps = new Map<number, number>();
  tenantChars: number[];
  private epoch = 0;
  constructor(readonly tenants: number) {
    this.tenantChars = new Array(tenants).fill(0);
  }
  private worth(k: number, nb: number, tokens: number): number {
    return k < nb - 1 ? 16 : tokens - (nb - 1) * 16;
  }
  prefixMatch(prompt: number[], tokens: number): [number, number] {
    let matched = 0;
    let cur = -1;
    for (let k = 0; k < prompt.length; k++) {
      const node = this.nodes.get(prompt[k]);
      if (!node) break;
      matched += this.worth(k, prompt.length, tokens);
      cur = prompt[k];
    }
    if (cur < 0) return [0, -1];
    let best = -1;
    let bestStamp = -1;
    for (const [w, s] of this.nodes.get(cur)!.stamps) if (s > bestStamp || (s === bestStamp && w < best)) [best, bestStamp] = [w, s];
    this.epoch++;
    for (let id = cur; id >= 0; id = this.nodes.get(id)!.parent) this.nodes.get(id)!.stamps.set(best, this.epoch);
    this.rootStamps.set(best, this.epoch);
    return [matched, best];
  }
  insert(prompt: number[], tokens: number, w: number): void {
    this.epoch++;
    this.rootStamps.set(w, this.epoch);
    let parent = -1;
    for (let k = 0; k < prompt.length; k++) {
      let node = this.nodes.get(prompt[k]);
      if (!node) {
        node = { parent, chars: this.worth(k, prompt.length, tokens), stamps: new Map() };
        this.nodes.set(prompt[k], node);
      }
      if (!node.stamps.has(w)) this.tenantChars[w] += node.chars;
      node.stamps.set(w, this.epoch);
      parent = prompt[k];
    }
  }
  private isLeafFor(id: number, w: number): boolean {
    if (!this.nodes.get(id)!.stamps.has(w)) return false;
    for (const n of this.nodes.values()) if (n.parent === id && n.stamps.has(w)) return false;
    return true;
  }
  evict(cap: number): void {
    for (let w = 0; w < this.tenants; w++) {
      while (this.tenantChars[w] > cap) {
        let victim = -1;
        let vs = Infinity;
        for (const [id, n] of this.nodes) {
          if (!this.isLeafFor(id, w)) continue;
          const s = n.stamps.get(w)!;
          if (s < vs) [victim, vs] = [id, s];
        }
        if (victim < 0) break;
        const n = this.nodes.get(victim)!;
        n.stamps.delete(w);
        this.tenantChars[w] -= n.chars;
        const hasChild = [...this.nodes.values()].some((c) => c.parent === victim);
        if (n.stamps.size === 0 && !hasChild) this.nodes.delete(victim);
      }
    }
  }
  prefixBlocks(prompt: number[], w: number): number {
    for (let k = 0; k < prompt.length; k++) if (!this.nodes.get(prompt[k])?.stamps.has(w)) return k;
    return prompt.length;
  }
}

describe("Int32IndexMap", () => {
  it("behaves like a Map under random set/get/delete with collisions and growth", () => {
    const rng = rngStream(5, "intmap");
    const a = new Int32IndexMap(4);
    const b = new Map<number, number>();
    for (let i = 0; i < 40_000; i++) {
      const key = rng.int(3000) - 1500; // negatives too
      const op = rng.next();
      if (op < 0.5) {
        const v = rng.int(1 << 30);
        expect(a.set(key, v)).toBe(!b.has(key));
        b.set(key, v);
      } else if (op < 0.8) {
        a.delete(key);
        b.delete(key);
      } else {
        expect(a.get(key)).toBe(b.get(key) ?? -1);
      }
    }
    expect(a.size).toBe(b.size);
    for (let key = -1500; key < 1500; key++) expect(a.get(key)).toBe(b.get(key) ?? -1);
  });
});
