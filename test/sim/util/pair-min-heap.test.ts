/** PairMinHeap pops in (a, b) order, however entries arrive (push, or append then heapify). */
import { describe, expect, it } from "vitest";
import { rngStream } from "../../../src/sim/rng.js";
import { PairMinHeap } from "../../../src/sim/util/pair-min-heap.js";

describe("PairMinHeap", () => {
  it("pops by the first key, then the second", () => {
    const h = new PairMinHeap(2);
    for (const [a, b, p] of [[3, 1, 30], [1, 9, 19], [2, 5, 25], [1, 2, 12], [3, 0, 31]]) h.push(a, b, p);
    expect([h.topA, h.topB, h.top]).toEqual([1, 2, 12]);
    const out: number[] = [];
    while (h.size > 0) out.push(h.pop());
    expect(out).toEqual([12, 19, 25, 31, 30]);
  });

  it("interleaved pushes and pops, and appends then heapify, match a sorted list (seeded random keys)", () => {
    const rng = rngStream(7, "pair-min-heap test");
    for (const bulk of [false, true]) {
      const h = new PairMinHeap(1);
      const ref: [number, number, number][] = [];
      let next = 0;
      const popBoth = () => {
        ref.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        expect(h.pop()).toBe(ref.shift()![2]);
      };
      for (let i = 0; i < 2000; i++) {
        // Distinct second keys (the payload), few first keys: ties on a are decided by b.
        const a = rng.int(20);
        const e: [number, number, number] = [a, next, next++];
        ref.push(e);
        if (bulk) h.append(...e);
        else h.push(...e);
        if (!bulk && rng.next() < 0.4) popBoth();
      }
      if (bulk) h.heapify();
      while (ref.length > 0) popBoth();
      expect(h.size).toBe(0);
    }
  });
});
