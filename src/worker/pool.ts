/**
 * A piscina pool as an `Executor`. The pool loads one worker file that exports named task
 * functions and does its per-thread setup once, when the thread loads it (from `workerData`);
 * each task goes out as `pool.run(task, { name })`. Node 20 threads cannot load `.ts`, so the
 * file is a built `.js` (see `sim-pool.ts` for the simulator's).
 */
import { existsSync } from "node:fs";
import { Piscina } from "piscina";
import { InvariantError, RuntimeFailure } from "../errors.js";
import { checkUniqueIds, defaultWorkerCount, inTaskOrder, TaskFailure, type Executor, type OnResult } from "./executor.js";
import { toSharedMemory } from "./shared-data.js";

export interface PoolOptions {
  /** The worker file (built JavaScript). */
  filename: string;
  /** The exported task function every task of this executor runs. */
  name: string;
  /** Worker threads. @default os.availableParallelism() */
  workers?: number;
  /**
   * Data for the worker's per-thread setup (its `workerData`), e.g. the workload table. Sent once
   * per thread at start; its typed arrays are first moved into SharedArrayBuffers so threads share
   * one copy.
   */
  workerData?: unknown;
}

/** Runs every task of a batch as the worker file's function `name` on a pool of threads. */
export class PiscinaExecutor<TTask extends { id: string }, TResult> implements Executor<TTask, TResult> {
  readonly workers: number;
  readonly name: string;
  private readonly pool: Piscina;
  private closed = false;
  /** An error the pool raised outside any task (a thread that died while starting). */
  private poolError: { e: unknown } | undefined;
  /** Tasks whose first attempt failed and whose retry succeeded, with the first error (for logs and tests). */
  readonly retried: { taskId: string; error: string }[] = [];

  constructor(opts: PoolOptions) {
    const workers = opts.workers ?? defaultWorkerCount();
    if (!Number.isInteger(workers) || workers < 1) throw new InvariantError(`workers must be a positive integer, got ${workers}`);
    this.workers = workers;
    this.name = opts.name;
    if (!existsSync(opts.filename)) {
      throw new RuntimeFailure(`worker file ${opts.filename} does not exist; run "npm run build" first`);
    }
    this.pool = new Piscina({
      filename: opts.filename,
      name: opts.name,
      minThreads: workers,
      maxThreads: workers,
      // One task at a time per thread: trials are CPU-bound.
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      workerData: toSharedMemory(opts.workerData ?? {}),
    });
    // Without a listener an 'error' event would crash the process.
    this.pool.on("error", (e: unknown) => {
      this.poolError ??= { e };
    });
  }

  async run(tasks: readonly TTask[], onResult?: OnResult<TTask, TResult>): Promise<Map<string, TResult>> {
    if (this.closed) throw new InvariantError("executor used after close()");
    checkUniqueIds(tasks);
    const results = new Map<string, TResult>();
    const failures = new Map<string, unknown>();
    let callbackError: { e: unknown } | undefined;
    this.poolError = undefined;
    // Our own dispatch, at most one task per thread in flight: after a failure nothing new starts
    // and the running tasks finish normally (aborting a running piscina task kills its thread).
    let next = 0;
    const stopped = (): boolean => failures.size > 0 || callbackError !== undefined || this.poolError !== undefined;
    const lane = async (): Promise<void> => {
      while (next < tasks.length && !stopped()) {
        const task = tasks[next++];
        let r: TResult;
        try {
          r = (await this.pool.run(task, { name: this.name })) as TResult;
        } catch (first) {
          // A thread that died mid-task (process.exit, a fatal error in the thread) or a task that
          // threw: once more, on whichever thread is free (piscina replaces a dead one). Tasks are
          // deterministic, so a second failure is the task's own and is reported, never dropped.
          try {
            r = (await this.pool.run(task, { name: this.name })) as TResult;
            this.retried.push({ taskId: task.id, error: first instanceof Error ? first.message : String(first) });
          } catch (e) {
            failures.set(task.id, e);
            continue;
          }
        }
        // Reported even after a failure elsewhere: a finished trial is worth keeping for --resume.
        results.set(task.id, r);
        try {
          onResult?.(task, r);
        } catch (e) {
          // The caller's own error (e.g. disk full while logging): stop and rethrow it as is.
          callbackError ??= { e };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.workers, tasks.length) }, lane));
    if (callbackError) throw callbackError.e;
    if (failures.size > 0) {
      // Deterministic report: the first failed task in task order.
      const first = tasks.find((t) => failures.has(t.id))!;
      const more = failures.size > 1 ? ` (and ${failures.size - 1} more)` : "";
      throw new TaskFailure(first.id, failures.get(first.id), ` in a worker thread, twice${more}`);
    }
    const pe = this.poolError as { e: unknown } | undefined;
    if (pe) throw new RuntimeFailure(`worker pool failed: ${pe.e instanceof Error ? pe.e.message : String(pe.e)}`);
    return inTaskOrder(tasks, results);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.destroy();
  }
}
