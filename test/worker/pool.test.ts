/** PiscinaExecutor on a tiny fixture worker file (plain JavaScript, so no build is needed). */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvariantError, RuntimeFailure } from "../../src/errors.js";
import { InlineExecutor, TaskFailure } from "../../src/worker/executor.js";
import { PiscinaExecutor } from "../../src/worker/pool.js";
import { createTrialExecutor } from "../../src/worker/sim-pool.js";
import { spinWith, type SpinResult, type SpinTask } from "../fixtures/worker/selftest-worker.mjs";

const filename = new URL("../fixtures/worker/selftest-worker.mjs", import.meta.url).pathname;
const weights = Float64Array.from({ length: 257 }, (_, i) => (i % 7) * 0.25);
// Costs decrease with the index, so with several threads completion order differs from task order.
const tasks: SpinTask[] = Array.from({ length: 24 }, (_, i) => ({ id: `t${String(i).padStart(2, "0")}`, seed: 1000 + i, iterations: (24 - i) * 15_000 }));

const spinPool = (workers: number) => new PiscinaExecutor<SpinTask, SpinResult>({ filename, name: "spin", workers, workerData: { weights } });

describe("PiscinaExecutor", () => {
  let inline: Map<string, SpinResult>;
  beforeAll(async () => {
    inline = await new InlineExecutor((t: SpinTask) => spinWith(t, weights)).run(tasks);
  });

  it.each([1, 2, 4])("%i worker(s) give the same map, in task order, as inline", async (workers) => {
    const ex = spinPool(workers);
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

  it("sets up each worker thread once, however many tasks it runs", async () => {
    const ex = new PiscinaExecutor<{ id: string }, { id: string; threadId: number; setups: number }>({ filename, name: "probe", workers: 2 });
    try {
      const m = await ex.run(Array.from({ length: 40 }, (_, i) => ({ id: `p${i}` })));
      for (const r of m.values()) expect(r.setups).toBe(1);
      expect([...m.keys()]).toEqual(Array.from({ length: 40 }, (_, i) => `p${i}`));
    } finally {
      await ex.close();
    }
  });

  it("propagates a worker error as a TaskFailure with the task id, starts nothing after it, and keeps finished results", async () => {
    const ex = new PiscinaExecutor<{ id: string; fail: boolean }, { id: string }>({ filename, name: "fail", workers: 1 });
    try {
      const done: string[] = [];
      const batch = [{ id: "ok-1", fail: false }, { id: "bad", fail: true }, { id: "ok-2", fail: false }];
      const err = await ex.run(batch, (t) => done.push(t.id)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskFailure);
      expect((err as TaskFailure).taskId).toBe("bad");
      expect((err as Error).message).toMatch(/task bad failed in a worker thread, twice: selftest failure requested by bad/);
      // One thread: ok-1 finished before the failure, ok-2 was never started.
      expect(done).toEqual(["ok-1"]);
      // The pool still works afterwards.
      const m = await ex.run([{ id: "after", fail: false }]);
      expect(m.get("after")).toEqual({ id: "after" });
    } finally {
      await ex.close();
    }
  });

  it("names the task when the worker file has no function of that name", async () => {
    const ex = new PiscinaExecutor<{ id: string }, unknown>({ filename, name: "nope", workers: 1 });
    try {
      await expect(ex.run([{ id: "x" }])).rejects.toThrow(/task x failed in a worker thread, twice: No handler function/);
    } finally {
      await ex.close();
    }
  });

  it("rethrows an error raised by the onResult callback", async () => {
    const ex = spinPool(2);
    try {
      const err = await ex.run(tasks.slice(0, 4), () => {
        throw new RuntimeFailure("disk full");
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe("disk full");
    } finally {
      await ex.close();
    }
  });
});

describe("PiscinaExecutor: a thread that dies mid-task", () => {
  const tmp = mkdtempSync(join(tmpdir(), "hisim-pool-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  type ExitTask = { id: string; marker: string; always?: boolean };

  it("is retried once on a fresh thread, and its batch finishes with every result", async () => {
    const ex = new PiscinaExecutor<ExitTask, { id: string; threadId: number }>({ filename, name: "exitOnce", workers: 2 });
    try {
      const marker = join(tmp, "once");
      const batch = Array.from({ length: 6 }, (_, i) => ({ id: `e${i}`, marker }));
      const m = await ex.run(batch);
      expect(existsSync(marker)).toBe(true); // some thread did die
      expect([...m.keys()]).toEqual(batch.map((t) => t.id));
      expect(ex.retried).toHaveLength(1);
      expect(ex.retried[0].error).toMatch(/worker exited with code/);
    } finally {
      await ex.close();
    }
  });

  it("is reported with its id when the retry dies too, never dropped", async () => {
    const ex = new PiscinaExecutor<ExitTask, { id: string; threadId: number }>({ filename, name: "exitOnce", workers: 1 });
    try {
      const err = await ex.run([{ id: "doomed", marker: join(tmp, "never"), always: true }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TaskFailure);
      expect((err as TaskFailure).taskId).toBe("doomed");
      expect((err as Error).message).toMatch(/task doomed failed in a worker thread, twice: worker exited with code: 3/);
    } finally {
      await ex.close();
    }
  });
});

describe("PiscinaExecutor options", () => {
  it("fails clearly when the worker file is missing", () => {
    expect(() => new PiscinaExecutor({ filename: "/nonexistent/sim-worker.js", name: "spin", workers: 1 })).toThrow(/does not exist; run "npm run build"/);
  });

  it("rejects bad worker counts", () => {
    expect(() => new PiscinaExecutor({ filename, name: "spin", workers: 0 })).toThrow(InvariantError);
  });
});

describe("createTrialExecutor", () => {
  const tables = { tables: [] } as Parameters<typeof createTrialExecutor>[0]["tables"];
  it("runs in this thread when inline, else on the built worker file", async () => {
    const inl = createTrialExecutor({ workers: 4, tables, inline: true });
    expect(inl).toBeInstanceOf(InlineExecutor);
    await inl.close();
    expect(() => createTrialExecutor({ workers: 2, tables, workerFile: "/nonexistent/sim-worker.js" })).toThrow(/sim-worker\.js does not exist/);
  });
});
