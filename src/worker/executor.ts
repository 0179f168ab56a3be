/**
 * Executors run batches of independent tasks (simulation trials) and merge the results by task id,
 * never by completion order, so one worker and many workers give identical maps in identical
 * (task) order. `InlineExecutor` runs in this thread (tests, `--workers 1`); `PiscinaExecutor`
 * (`pool.ts`) fans out over worker threads. Tasks and results are plain data.
 */
import { availableParallelism } from "node:os";
import { InvariantError, RuntimeFailure } from "../errors.js";

/** Called once per finished task, in completion order (for logs and progress only). */
export type OnResult<TTask, TResult> = (task: TTask, result: TResult) => void;

export interface Executor<TTask extends { id: string }, TResult> {
  /**
   * Runs every task; resolves to the results keyed by task id, inserted in the order of `tasks`.
   * Task ids must be unique within a call. The first failure stops the tasks not yet started
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

/** Throws an InvariantError when two tasks of one batch share an id. */
export function checkUniqueIds(tasks: readonly { id: string }[]): void {
  const seen = new Set<string>();
  for (const t of tasks) {
    if (seen.has(t.id)) throw new InvariantError(`duplicate task id "${t.id}" in one executor batch`);
    seen.add(t.id);
  }
}

/** The results of `tasks` keyed by id, in task order. */
export function inTaskOrder<TTask extends { id: string }, TResult>(tasks: readonly TTask[], byId: Map<string, TResult>): Map<string, TResult> {
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
      // Let timers and signal handlers run between tasks (the results-folder lock's refresh, SIGINT):
      // awaiting a synchronous function alone never leaves the microtask queue.
      await new Promise<void>((resolveNext) => setImmediate(resolveNext));
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

/** Default thread count: the cores this process may use. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}
