/**
 * The worker-thread entry piscina loads (built to `dist/worker/trial-worker.js`). It prepares the
 * kind's shared state once when the thread starts, then runs each task it is sent.
 */
import { workerData } from "node:worker_threads";
import type { WorkerInit } from "./messages.js";
import { runTask, stateFor } from "./run-task.js";

const init = (workerData ?? { kind: "", shared: undefined }) as WorkerInit;
// Prepare the kind's state while the pool starts, before the first task arrives.
if (init.kind !== "") stateFor(init.kind, init.shared);

export default function handle(task: { id: string }): unknown {
  return runTask(init.kind, task, init.shared);
}
