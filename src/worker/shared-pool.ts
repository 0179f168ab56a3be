/**
 * One pool of simulator threads that several searches share (`compare-gpus` runs one search per
 * GPU, `nightly` one per service and demand scale). Each search gets an executor for its own
 * workload; the workload travels with each task in shared memory (no copy) under a key, and a
 * thread builds its state for a key once. Results are merged by trial id, as with a pool of one's own.
 */
import { initTrialState, runTrial, type TrialResult, type TrialState, type TrialTask } from "../runner/trial.js";
import { InlineExecutor, type Executor, type OnResult } from "./executor.js";
import { PiscinaExecutor } from "./pool.js";
import { toSharedMemory } from "./shared-data.js";
import type * as simWorker from "./sim-worker.js";
import type { SharedTrialTask, SimWorkerData } from "./sim-worker.js";
import { simWorkerFile } from "./sim-pool.js";

const SIM_TRIAL_SHARED: keyof typeof simWorker = "simTrialShared";

export interface SharedPoolOptions {
  /** Worker threads. */
  workers: number;
  /** Run every trial in this thread (tests, `--workers 1`). */
  inline?: boolean;
  /** Built worker file. @default simWorkerFile() */
  workerFile?: string;
}

export class SharedTrialPool {
  private readonly inner: Executor<SharedTrialTask, TrialResult>;
  private keys = 0;

  constructor(opts: SharedPoolOptions) {
    if (opts.inline || opts.workers === 1) {
      const states = new Map<string, TrialState>();
      this.inner = new InlineExecutor((m: SharedTrialTask) => {
        let s = states.get(m.key);
        if (!s) states.set(m.key, (s = initTrialState(m.data)));
        return runTrial(m.task, s);
      });
    } else {
      this.inner = new PiscinaExecutor<SharedTrialTask, TrialResult>({ filename: opts.workerFile ?? simWorkerFile(), name: SIM_TRIAL_SHARED, workers: opts.workers });
    }
  }

  /** An executor for trials on `data`'s workload. Closing it leaves the pool open. */
  executorFor(data: SimWorkerData): Executor<TrialTask, TrialResult> {
    const key = `w${this.keys++}`;
    const shared = toSharedMemory(data);
    const inner = this.inner;
    return {
      async run(tasks: readonly TrialTask[], onResult?: OnResult<TrialTask, TrialResult>): Promise<Map<string, TrialResult>> {
        const msgs = tasks.map((task): SharedTrialTask => ({ id: task.id, key, data: shared, task }));
        return inner.run(msgs, onResult ? (m, r) => onResult(m.task, r) : undefined);
      },
      async close(): Promise<void> {
        /* the pool outlives the searches that share it */
      },
    };
  }

  /** Stops the threads. */
  async close(): Promise<void> {
    await this.inner.close();
  }
}
