import { describe, expect, it, beforeAll } from "vitest";
import { InvariantError, RuntimeFailure } from "../../src/errors.js";
import {
  InlineExecutor, PiscinaExecutor, TaskFailure, createExecutor, defaultWorkerCount, inlineExecutorFor,
} from "../../src/search/executor.js";
import { spin, type SpinTask } from "../../src/worker/selftest-tasks.js";
import { ensureWorkerBuild } from "./ensure-worker-build.js";

const buildProblem = ensureWorkerBuild();
if (buildProblem) console.warn(`skipping piscina tests: ${buildProblem}`);
const withPool = buildProblem ? describe.skip : describe;

const shared = { weights: Float64Array.from({ length: 257 }, (_, i) => (i % 7) * 0.25) };
// Costs decrease with the index, so with several threads completion order differs from task order.
const tasks: SpinTask[] = Array.from({ length: 24 }, (_, i) => ({ id: `t${String(i).padStart(2, "0")}`, seed: 1000 + i, iterations: (24 - i) * 15_000 }));

describe("spin (the self-test task)", () => {
  it("reads the shared weights: with all weights 1 the weighted sum is the iteration count", () => {
    const r = spin({ id: "x", seed: 7, iterations: 1234 }, { weights: new Float64Array(5).fill(1) });
    expect(r.weighted).toBe(1234);
  });

  it("is xorshift32: one step from seed 1 is 270369", () => {
    // x ^= x << 13 -> 8193; x ^= x >>> 17 -> 8193; x ^= x << 5 -> 270369
    expect(spin({ id: "x", seed: 1, iterations: 1 }, { weights: new Float64Array(1) }).state).toBe(270369);
  });
});

describe("InlineExecutor", () => {
  it("returns results keyed by id in task order and reports each once", async () => {
    const ex = inlineExecutorFor("selftest.spin", shared);
    const seen: string[] = [];
    const m = await ex.run(tasks, (t) => seen.push(t.id));
    expect([...m.keys()]).toEqual(tasks.map((t) => t.id));
    expect(seen).toEqual(tasks.map((t) => t.id));
    expect(m.get("t03")).toEqual(spin(tasks[3], shared));
  });

  it("wraps a task's error in a TaskFailure naming the task", async () => {
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

  it("rejects duplicate task ids", async () => {
    await expect(new InlineExecutor(() => 1).run([{ id: "a" }, { id: "a" }])).rejects.toBeInstanceOf(InvariantError);
  });

  it("runs a kind's init once per executor", async () => {
    const m = await inlineExecutorFor("selftest.probe").run(Array.from({ length: 5 }, (_, i) => ({ id: `p${i}` })));
    const inits = new Set([...m.values()].map((r) => r.inits));
    expect(inits.size).toBe(1);
  });
});

withPool("PiscinaExecutor", () => {
  let inline: Map<string, unknown>;
  beforeAll(async () => {
    inline = await inlineExecutorFor("selftest.spin", shared).run(tasks);
  });

  it.each([1, 2, 4])("%i worker(s) give the same map, in task order, as inline", async (workers) => {
    const ex = new PiscinaExecutor("selftest.spin", { workers, shared });
    try {
      const completed: string[] = [];
      const m = await ex.run(tasks, (t, r) => {
        expect(r.id).toBe(t.id);
        completed.push(t.id);
      });
      expect([...m.entries()]).toEqual([...inline.entries()]);
      expect([...completed].sort()).toEqual(tasks.map((t) => t.id));
      // A second batch reuses the pool.
      const again = await ex.run(tasks.slice(0, 3));
      expect([...again.keys()]).toEqual(["t00", "t01", "t02"]);
    } finally {
      await ex.close();
    }
  });

  it("initializes each worker thread once, however many tasks it runs", async () => {
    const ex = new PiscinaExecutor("selftest.probe", { workers: 2 });
    try {
      const m = await ex.run(Array.from({ length: 40 }, (_, i) => ({ id: `p${i}` })));
      for (const r of m.values()) expect(r.inits).toBe(1);
      expect([...m.keys()]).toEqual(Array.from({ length: 40 }, (_, i) => `p${i}`));
    } finally {
      await ex.close();
    }
  });

  it("propagates a worker error as a TaskFailure with the task id and keeps finished results", async () => {
    const ex = new PiscinaExecutor("selftest.fail", { workers: 2 });
    try {
      const done: string[] = [];
      const batch = [{ id: "ok-1", fail: false }, { id: "bad", fail: true }, { id: "ok-2", fail: false }];
      const err = await ex.run(batch, (t) => done.push(t.id)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskFailure);
      expect((err as TaskFailure).taskId).toBe("bad");
      expect((err as Error).message).toMatch(/task bad failed in a worker thread: selftest failure requested by bad/);
      expect(done).toContain("ok-1");
      // The pool still works afterwards.
      const m = await ex.run([{ id: "after", fail: false }]);
      expect(m.get("after")).toEqual({ id: "after" });
    } finally {
      await ex.close();
    }
  });

  it("rethrows an error raised by the onResult callback", async () => {
    const ex = new PiscinaExecutor("selftest.spin", { workers: 2, shared });
    try {
      const err = await ex.run(tasks.slice(0, 4), () => {
        throw new RuntimeFailure("disk full");
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe("disk full");
    } finally {
      await ex.close();
    }
  });

  it("createExecutor gives a pool, or the inline executor when asked", async () => {
    const pool = createExecutor("selftest.spin", { workers: 2, shared });
    const inl = createExecutor("selftest.spin", { inline: true, shared });
    try {
      expect(pool).toBeInstanceOf(PiscinaExecutor);
      expect(inl).toBeInstanceOf(InlineExecutor);
      expect([...(await pool.run(tasks.slice(0, 5))).entries()]).toEqual([...(await inl.run(tasks.slice(0, 5))).entries()]);
    } finally {
      await pool.close();
      await inl.close();
    }
  });
});

describe("PiscinaExecutor options", () => {
  it("fails clearly when the built worker file is missing", () => {
    expect(() => new PiscinaExecutor("selftest.spin", { workers: 1, workerFile: "/nonexistent/trial-worker.js" })).toThrow(/does not exist; run "npm run build"/);
  });

  it("rejects bad worker counts and unknown kinds", () => {
    expect(() => new PiscinaExecutor("selftest.spin", { workers: 0 })).toThrow(InvariantError);
    expect(() => new PiscinaExecutor("nope" as "selftest.spin", { workers: 1 })).toThrow(/unknown task kind "nope"/);
  });

  it("defaults to the available cores", () => {
    expect(defaultWorkerCount()).toBeGreaterThanOrEqual(1);
  });
});
