/**
 * Executors run batches of independent tasks (simulation trials) and merge the results by task id,
 * never by completion order, so one worker and many workers give identical maps in identical
 * (task) order. `InlineExecutor` runs in this thread (tests, tiny runs); `PiscinaExecutor` fans out
 * over a piscina pool of worker threads that load the built worker file under `dist/` (Node 20
 * worker threads cannot load `.ts`). Tasks and results are plain data.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { InvariantError, RuntimeFailure } from "../errors.js";
import type { WorkerInit } from "../worker/messages.js";
import { runTask } from "../worker/run-task.js";
import { toSharedMemory } from "../worker/shared-data.js";
import { taskKinds, type ResultOf, type SharedOf, type TaskKindName, type TaskOf } from "../worker/task-kinds.js";

/** Called once per finished task, in completion order (for logs and progress only). */
export type OnResult<TTask, TResult> = (task: TTask, result: TResult) => void;

export interface Executor<TTask extends { id: string }, TResult> {
  /**
   * Runs every task; resolves to the results keyed by task id, inserted in the order of `tasks`.
   * Task ids must be unique within a call. The first failure aborts the tasks not yet finished
   * and rejects with a `TaskFailure` naming the task (results already reported through
   * `onResult` stay reported).
   */
  run(tasks: readonly TTask[], onResult?: OnResult<TTask, TResult>): Promise<Map<string, TResult>>;
  /** Releases threads; the executor cannot run afterwards. */
  close(): Promise<void>;
}

/** A task that threw. A RuntimeFailure (exit code 1) that names the task. */
export class TaskFailure extends RuntimeFailure {
  readonly taskId: string;
  override readonly cause: unknown;
  constructor(taskId: string, cause: unknown, where = "") {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(`task ${taskId} failed${where}: ${msg}`);
    this.name = "TaskFailure";
    this.taskId = taskId;
    this.cause = cause;
  }
}

function checkUniqueIds(tasks: readonly { id: string }[]): void {
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.id)) throw new InvariantError(`duplicate task id "${t.id}" in one executor batch`);
    seen.add(t.id);
  }
}

function inTaskOrder<TTask extends { id: string }, TResult>(tasks: readonly TTask[], byId: Map<string, TResult>): Map<string, TResult> {
  const out = new Map<string, TResult>();
  for (const t of tasks) out.set(t.id, byId.get(t.id) as TResult);
  return out;
}

/** Runs tasks one after another in this thread with a plain function. */
export class InlineExecutor<TTask extends { id: string }, TResult> implements Executor<TTask, TResult> {
  private closed = false;
  constructor(private readonly fn: (task: TTask) => TResult | Promise<TResult>) {}

  async run(tasks: readonly TTask[], onResult?: OnResult<TTask, TResult>): Promise<Map<string, TResult>> {
    if (this.closed) throw new InvariantError("executor used after close()");
    checkUniqueIds(tasks);
    const out = new Map<string, TResult>();
    for (const t of tasks) {
      let r: TResult;
      try {
        r = await this.fn(t);
      } catch (e) {
        throw new TaskFailure(t.id, e);
      }
      out.set(t.id, r);
      onResult?.(t, r);
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** An in-thread executor for a registered task kind (its `init` runs once for `shared`). */
export function inlineExecutorFor<K extends TaskKindName>(kind: K, shared?: SharedOf<K>): InlineExecutor<TaskOf<K>, ResultOf<K>> {
  const sharedData = shared ?? {};
  return new InlineExecutor((task) => runTask(kind, task, sharedData) as ResultOf<K>);
}

/** Default thread count: the cores this process may use. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

const WORKER_REL = "worker/trial-worker.js";

/**
 * The built worker entry: next to this module when running from `dist/`, else
 * `<package>/dist/worker/trial-worker.js` (running from `src/` under tsx or vitest).
 */
export function defaultWorkerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = resolve(here, "..", WORKER_REL);
  if (existsSync(sibling)) return sibling;
  return resolve(here, "../../dist", WORKER_REL);
}

export interface PiscinaExecutorOptions<TShared> {
  /** Worker threads. @default os.availableParallelism() */
  workers?: number;
  /**
   * Data every task of the kind needs (e.g. the workload table). Sent once per thread at start;
   * its typed arrays are first moved into SharedArrayBuffers so threads share one copy.
   */
  shared?: TShared;
  /** Built worker entry. @default defaultWorkerFile() */
  workerFile?: string;
}

/** Runs tasks of one registered kind on a piscina pool of worker threads. */
export class PiscinaExecutor<K extends TaskKindName> implements Executor<TaskOf<K>, ResultOf<K>> {
  readonly workers: number;
  private readonly pool: Piscina;
  private closed = false;
  /** An error the pool raised outside any task (a thread that died while starting). */
  private poolError: { e: unknown } | undefined;

  constructor(readonly kind: K, opts: PiscinaExecutorOptions<SharedOf<K>> = {}) {
    const workers = opts.workers ?? defaultWorkerCount();
    if (!Number.isInteger(workers) || workers < 1) throw new InvariantError(`workers must be a positive integer, got ${workers}`);
    this.workers = workers;
    if (!Object.hasOwn(taskKinds, kind)) throw new InvariantError(`unknown task kind "${kind}"`);
    const filename = opts.workerFile ?? defaultWorkerFile();
    if (!existsSync(filename)) {
      throw new RuntimeFailure(`worker file ${filename} does not exist; run "npm run build" first`);
    }
    const workerData: WorkerInit = { kind, shared: toSharedMemory(opts.shared ?? {}) };
    this.pool = new Piscina({
      filename,
      minThreads: workers,
      maxThreads: workers,
      // One task at a time per thread: trials are CPU-bound.
      concurrentTasksPerWorker: 1,
      idleTimeout: 60_000,
      workerData,
    });
    // Without a listener an 'error' event would crash the process.
    this.pool.on("error", (e: unknown) => {
      this.poolError ??= { e };
    });
  }

  async run(tasks: readonly TaskOf<K>[], onResult?: OnResult<TaskOf<K>, ResultOf<K>>): Promise<Map<string, ResultOf<K>>> {
    if (this.closed) throw new InvariantError("executor used after close()");
    checkUniqueIds(tasks);
    const results = new Map<string, ResultOf<K>>();
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
        let r: ResultOf<K>;
        try {
          r = (await this.pool.run(task)) as ResultOf<K>;
        } catch (e) {
          failures.set(task.id, e);
          continue;
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
      throw new TaskFailure(first.id, failures.get(first.id), ` in a worker thread${more}`);
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

/**
 * The executor for `--workers n`: a piscina pool, or the inline executor when `inline` is set
 * (tests, or when the caller knows the batch is tiny).
 */
export function createExecutor<K extends TaskKindName>(
  kind: K,
  opts: PiscinaExecutorOptions<SharedOf<K>> & { inline?: boolean } = {},
): Executor<TaskOf<K>, ResultOf<K>> {
  if (opts.inline) return inlineExecutorFor(kind, opts.shared);
  return new PiscinaExecutor(kind, opts);
}
