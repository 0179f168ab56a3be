/**
 * The simulator's worker file, the only code piscina loads into a thread (built to
 * `dist/worker/sim-worker.js`). It exports one function per task kind, which the pool names in
 * `pool.run(task, { name })`. A thread prepares its state once: from the pool's `workerData` (one
 * run per pool), or per workload key for a pool that several searches share.
 */
import { isMainThread, workerData } from "node:worker_threads";
import { InvariantError } from "../errors.js";
import { initTrialState, runTrial, type SeedTables, type TrialResult, type TrialState, type TrialTask } from "../runner/trial.js";

/**
 * The pool's `workerData`: what every task shares, in shared memory: the workload table of each
 * seed the run uses (the search seed and the confirmation seeds, or verify's seeds).
 */
export type SimWorkerData = SeedTables;

/** A trial on a pool that several searches share: the task with its workload and the workload's key. */
export interface SharedTrialTask {
  /** The trial's id (unique within one executor batch). */
  id: string;
  /** Names the workload; a thread builds its state for a key once. */
  key: string;
  /** The workload tables, in shared memory (cloning the message copies no table data). */
  data: SimWorkerData;
  task: TrialTask;
}

// The thread's state: the shared workload tables and the estimator cache (one estimator per
// deployment shape, reused by its trials), built once, on the thread's first task.
let state: TrialState | undefined;
const byKey = new Map<string, TrialState>();

function ensureThread(): void {
  if (isMainThread) throw new InvariantError("sim-worker tasks run in a pool thread; in this thread use InlineExecutor with runTrial");
}

/** A search trial: one full simulation judged against the SLO (see `runner/trial.ts`). */
export function simTrial(task: TrialTask): TrialResult {
  ensureThread();
  state ??= initTrialState(workerData as SimWorkerData);
  return runTrial(task, state);
}

/** A trial of one of the workloads a shared pool serves. */
export function simTrialShared(m: SharedTrialTask): TrialResult {
  ensureThread();
  let s = byKey.get(m.key);
  if (!s) byKey.set(m.key, (s = initTrialState(m.data)));
  return runTrial(m.task, s);
}
