/** The prefix cache's eviction lists, against hand-written orders. */
import { describe, expect, it } from "vitest";
import { LIST_L1, LIST_L2, TierLists } from "../../../src/sim/cache/tier-lists.js";

function order(l: TierLists, which: number): number[] {
  const out: number[] = [];
  for (let n = l.head(which); n >= 0; n = l.after(n)) out.push(n);
  return out;
}

describe("TierLists", () => {
  it("keeps each list least recently appended first, the two apart", () => {
    const l = new TierLists(8);
    for (const n of [3, 1, 5]) l.append(n, LIST_L1);
    l.append(2, LIST_L2);
    expect(order(l, LIST_L1)).toEqual([3, 1, 5]);
    expect(order(l, LIST_L2)).toEqual([2]);
    expect(l.isLast(5)).toBe(true);
    expect(l.isLast(3)).toBe(false);
  });

  it("removes from the head, the middle and the tail", () => {
    const l = new TierLists(8);
    for (const n of [1, 2, 3, 4]) l.append(n, LIST_L1);
    l.remove(2, LIST_L1);
    expect(order(l, LIST_L1)).toEqual([1, 3, 4]);
    l.remove(1, LIST_L1);
    l.remove(4, LIST_L1);
    expect(order(l, LIST_L1)).toEqual([3]);
    l.append(1, LIST_L1);
    expect(order(l, LIST_L1)).toEqual([3, 1]);
    l.remove(3, LIST_L1);
    l.remove(1, LIST_L1);
    expect(l.head(LIST_L1)).toBe(-1);
  });

  it("keeps its order when it grows", () => {
    const l = new TierLists(4);
    for (const n of [3, 0, 2]) l.append(n, LIST_L2);
    l.grow(16);
    l.append(9, LIST_L2);
    expect(order(l, LIST_L2)).toEqual([3, 0, 2, 9]);
  });
});
