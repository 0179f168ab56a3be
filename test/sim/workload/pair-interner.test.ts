import { describe, expect, it } from "vitest";
import { Rng } from "../../../src/sim/rng.js";
import { PairInterner } from "../../../src/sim/workload/pair-interner.js";
import { promptBlocks } from "../../../src/sim/workload/request-table.js";
import { TraceTableBuilder } from "../../../src/sim/workload/trace-table-builder.js";

describe("PairInterner", () => {
  it("gives equal pairs equal dense ids and distinct pairs distinct ids, through growth", () => {
    const p = new PairInterner(4);
    const ref = new Map<string, number>();
    const rng = new Rng(1);
    const raws = [0, 1, -1, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 32 + 1, -(2 ** 32) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, 123456789012345];
    for (let k = 0; k < 200_000; k++) {
      const parent = rng.int(50) - 1;
      const raw = rng.next() < 0.3 ? raws[rng.int(raws.length)] : rng.int(5000) * (rng.next() < 0.5 ? 1 : 2 ** 33);
      const key = `${parent}:${raw}`;
      const id = p.intern(parent, raw);
      if (ref.has(key)) expect(id).toBe(ref.get(key));
      else {
        expect(id).toBe(ref.size);
        ref.set(key, id);
      }
    }
    expect(p.size).toBe(ref.size);
    for (const [key, id] of ref) {
      const [parent, raw] = key.split(":").map(Number);
      expect(p.get(parent, raw)).toBe(id);
    }
    expect(p.get(77, 5)).toBe(-1);
  });

  it("unique ids never collide with interned ones", () => {
    const p = new PairInterner();
    const a = p.intern(-1, 5);
    const u = p.unique();
    const b = p.intern(-1, 6);
    expect(new Set([a, u, b]).size).toBe(3);
    expect(p.size).toBe(3);
  });
});

describe("TraceTableBuilder", () => {
  it("pads missing hashes with unique ids, ignores extra ones, sorts stably and shifts to 0", () => {
    const b = new TraceTableBuilder(10);
    b.begin(5e6, 25, 1); // 3 blocks, 1 hash given
    b.pushRawHash(7);
    b.end();
    b.begin(3e6, 10, 2); // 1 block, 3 hashes given
    b.pushRawHash(7);
    b.pushRawHash(8);
    b.pushRawHash(9);
    b.end();
    b.begin(5e6, 20, 3, 4); // equal time to the first: stays after it
    b.pushRawHash(7);
    b.pushRawHash(8);
    b.end();
    const t = b.finish(2);
    expect(Array.from(t.arrivalUs)).toEqual([0, 4e6, 4e6]);
    expect(Array.from(t.outputTokens)).toEqual([2, 1, 3]);
    expect(Array.from(t.sessionId)).toEqual([-1, -1, 4]);
    expect([0, 1, 2].map((i) => promptBlocks(t, i))).toEqual([1, 3, 2]);
    const ids = (i: number): number[] => Array.from(t.hashIds.subarray(t.hashStart[i], t.hashStart[i + 1]));
    expect(ids(0)[0]).toBe(ids(1)[0]);
    expect(ids(2)[0]).toBe(ids(1)[0]);
    expect(ids(2)[1]).not.toBe(ids(1)[1]); // ids(1)[1] is a pad
    expect(new Set([...ids(0), ...ids(1), ...ids(2)]).size).toBe(4);
  });
});
