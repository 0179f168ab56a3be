import { describe, expect, it } from "vitest";
import { InvariantError, RuntimeFailure } from "../../src/errors.js";
import { InlineExecutor, TaskFailure, defaultWorkerCount } from "../../src/worker/executor.js";
import { spinWith, type SpinTask } from "../fixtures/worker/selftest-worker.mjs";

const weights = Float64Array.from({ length: 257 }, (_, i) => (i % 7) * 0.25);
const tasks: SpinTask[] = Array.from({ length: 24 }, (_, i) => ({ id: `t${String(i).padStart(2, "0")}`, seed: 1000 + i, iterations: (24 - i) * 1500 }));

describe("spinWith (the self-test task)", () => {
  it("reads the weights: with all weights 1 the weighted sum is the iteration count", () => {
    const r = spinWith({ id: "x", seed: 7, iterations: 1234 }, new Float64Array(5).fill(1));
    expect(r.weighted).toBe(1234);
  });

  it("is xorshift32: one step from seed 1 is 270369", () => {
    // x ^= x << 13 -> 8193; x ^= x >>> 17 -> 8193; x ^= x << 5 -> 270369
    expect(spinWith({ id: "x", seed: 1, iterations: 1 }, new Float64Array(1)).state).toBe(270369);
  });
});

describe("InlineExecutor", () => {
  it("returns results keyed by id in task order and reports each once", async () => {
    const ex = new InlineExecutor((t: SpinTask) => spinWith(t, weights));
    const seen: string[] = [];
    const m = await ex.run(tasks, (t) => seen.push(t.id));
    expect([...m.keys()]).toEqual(tasks.map((t) => t.id));
    expect(seen).toEqual(tasks.map((t) => t.id));
    expect(m.get("t03")).toEqual(spinWith(tasks[3], weights));
  });

  it("wraps a task's error in a TaskFailure naming the task and starts nothing after it", async () => {
    const ex = new InlineExecutor((t: { id: string }) => {
      if (t.id === "b") throw new Error("boom");
      return 1;
    });
    const done: string[] = [];
    const err = await ex.run([{ id: "a" }, { id: "b" }, { id: "c" }], (t) => done.push(t.id)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskFailure);
    expect(err).toBeInstanceOf(RuntimeFailure);
    expect((err as TaskFailure).taskId).toBe("b");
    expect((err as Error).message).toMatch(/task b failed: boom/);
    expect(done).toEqual(["a"]);
  });

  it("rejects duplicate task ids, and use after close", async () => {
    await expect(new InlineExecutor(() => 1).run([{ id: "a" }, { id: "a" }])).rejects.toBeInstanceOf(InvariantError);
    const ex = new InlineExecutor(() => 1);
    await ex.close();
    await expect(ex.run([{ id: "a" }])).rejects.toBeInstanceOf(InvariantError);
  });

  it("defaults to the available cores", () => {
    expect(defaultWorkerCount()).toBeGreaterThanOrEqual(1);
  });
});
