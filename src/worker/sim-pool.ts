/**
 * The executor of search trials: the simulator's worker file on a piscina pool, or this thread.
 * Either gives the same results (the executor merges them by trial id).
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { initTrialState, runTrial, type SeedTables, type TrialResult, type TrialTask } from "../runner/trial.js";
import { InlineExecutor, type Executor } from "./executor.js";
import { PiscinaExecutor } from "./pool.js";
import type * as simWorker from "./sim-worker.js";
import type { SimWorkerData } from "./sim-worker.js";

const WORKER_REL = "worker/sim-worker.js";

/** The trial task's name among the worker file's exports (checked by the compiler). */
const SIM_TRIAL: keyof typeof simWorker = "simTrial";

/**
 * The built worker file: next to this module when running from `dist/`, else
 * `<package>/dist/worker/sim-worker.js` (running from `src/` under tsx or vitest).
 */
export function simWorkerFile(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const sibling = resolve(here, "..", WORKER_REL);
  if (existsSync(sibling)) return sibling;
  return resolve(here, "../../dist", WORKER_REL);
}

export interface TrialExecutorOptions {
  /** Worker threads (ignored inline). */
  workers: number;
  /** The workload table of every seed a trial may name (each trial takes its window from one). */
  tables: SeedTables;
  /** Run in this thread (tests, `--workers 1`). */
  inline?: boolean;
  /** Built worker file. @default simWorkerFile() */
  workerFile?: string;
}

/** The executor for `--workers n`: a piscina pool, or this thread when `inline` is set. */
export function createTrialExecutor(opts: TrialExecutorOptions): Executor<TrialTask, TrialResult> {
  if (opts.inline) {
    const state = initTrialState(opts.tables);
    return new InlineExecutor((task: TrialTask) => runTrial(task, state));
  }
  const workerData: SimWorkerData = opts.tables;
  return new PiscinaExecutor<TrialTask, TrialResult>({ filename: opts.workerFile ?? simWorkerFile(), name: SIM_TRIAL, workers: opts.workers, workerData });
}
