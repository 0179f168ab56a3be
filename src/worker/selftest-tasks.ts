/**
 * Built-in task kinds that exercise the pool without a simulator: a deterministic CPU-bound
 * function that also reads the shared data, a task that fails on request, and a probe that tells
 * which thread ran it and how often that thread ran `init`.
 */
import { threadId } from "node:worker_threads";
import { defineTaskKind } from "./task-kind.js";

/** Shared data of the self-test kinds: a table every worker reads. */
export interface SelftestShared {
  weights: Float64Array;
}

export interface SpinTask {
  id: string;
  seed: number;
  /** Loop iterations (CPU time scales with it). */
  iterations: number;
}

export interface SpinResult {
  id: string;
  /** xorshift32 state after `iterations` steps. */
  state: number;
  /** Sum of the shared weights picked by the generator. */
  weighted: number;
}

/** Deterministic, CPU-bound: `iterations` xorshift32 steps, each adding one shared weight. */
export function spin(task: SpinTask, shared: SelftestShared): SpinResult {
  let x = task.seed >>> 0 || 1;
  let acc = 0;
  const w = shared.weights;
  for (let i = 0; i < task.iterations; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    acc += w[x % w.length];
  }
  return { id: task.id, state: x, weighted: acc };
}

export const spinKind = defineTaskKind<SpinTask, SpinResult, SelftestShared>({ run: spin });

export interface FailTask {
  id: string;
  fail: boolean;
}

export const failKind = defineTaskKind<FailTask, { id: string }, unknown>({
  run(task) {
    if (task.fail) throw new Error(`selftest failure requested by ${task.id}`);
    return { id: task.id };
  },
});

let inits = 0;

export const probeKind = defineTaskKind<{ id: string }, { id: string; threadId: number; inits: number }, unknown, null>({
  init() {
    inits++;
    return null;
  },
  run(task) {
    return { id: task.id, threadId, inits };
  },
});
