import { describe, expect, it } from "vitest";
import { toSharedMemory } from "../../src/worker/shared-data.js";

describe("toSharedMemory", () => {
  it("moves nested typed arrays into SharedArrayBuffers and keeps everything else", () => {
    const src = { count: 3, name: "w", table: { a: Float64Array.of(1.5, 2.5), b: Int32Array.of(-1, 7) }, list: [Uint8Array.of(9)] };
    const out = toSharedMemory(src);
    expect(out.table.a.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(out.table.b.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(out.list[0].buffer).toBeInstanceOf(SharedArrayBuffer);
    expect([...out.table.a]).toEqual([1.5, 2.5]);
    expect([...out.table.b]).toEqual([-1, 7]);
    expect(out.count).toBe(3);
    expect(out.name).toBe("w");
    // The input is left alone.
    expect(src.table.a.buffer).toBeInstanceOf(ArrayBuffer);
    // Already shared arrays are not copied again.
    expect(toSharedMemory(out).table.a).toBe(out.table.a);
  });
});
