/**
 * The simulator's worker file, the only code piscina loads into a thread (built to
 * `dist/worker/sim-worker.js`). It exports one function per task kind, which the pool names in
 * `pool.run(task, { name })`, and prepares the thread once, when piscina loads the file.
 */
import { isMainThread, workerData } from "node:worker_threads";
import { InvariantError } from "../errors.js";
import { initTrialState, runTrial, type SeedTables, type TrialResult, type TrialState, type TrialTask } from "../runner/trial.js";

/**
 * The pool's `workerData`: what every task shares, in shared memory: the workload table of each
 * seed the run uses (the search seed and the confirmation seeds, or verify's seeds).
 */
export type SimWorkerData = SeedTables;

// Per-thread setup, once, before the thread takes its first task: wrap the shared workload tables
// and start the thread's estimator cache (one estimator per deployment shape, reused by its trials).
const state: TrialState | undefined = isMainThread ? undefined : initTrialState(workerData as SimWorkerData);

/** A search trial: one full simulation judged against the SLO (see `runner/trial.ts`). */
export function simTrial(task: TrialTask): TrialResult {
  if (!state) throw new InvariantError("simTrial runs in a pool thread; in this thread use InlineExecutor with runTrial");
  return runTrial(task, state);
}
