/**
 * What every policy shares: the router-local in-flight count per worker (SGLang `worker.load()`:
 * ++ when the router dispatches, -- when the request completes; it is what the router itself knows,
 * not the worker's queue), the imbalance test, and a fixed-period schedule for background work.
 */
import { InvariantError } from "../../errors.js";
import type { RouterPolicy } from "../../config/types.js";
import type { RouteRequest, Router } from "./types.js";

export abstract class BaseRouter implements Router {
  abstract readonly policy: RouterPolicy;
  readonly numWorkers: number;
  /** Requests this router dispatched to each worker that have not completed. */
  readonly inFlight: Int32Array;

  constructor(numWorkers: number) {
    if (!Number.isInteger(numWorkers) || numWorkers < 1) throw new InvariantError(`router needs >= 1 replica, got ${numWorkers}`);
    this.numWorkers = numWorkers;
    this.inFlight = new Int32Array(numWorkers);
  }

  abstract route(req: RouteRequest, nowUs: number): number;

  onComplete(replica: number, _nowUs: number): void {
    if (this.inFlight[replica] <= 0) throw new InvariantError(`completion on replica ${replica} with no request in flight`);
    this.inFlight[replica]--;
  }

  onLoadPoll(_loads: Float64Array, _nowUs: number): void {
    // Only power_of_two reads polled loads (SGLang feeds LoadMonitor results to it alone).
  }

  housekeeping(_nowUs: number): number {
    return Infinity;
  }

  /** Counts a dispatch to `w` and returns it. */
  protected dispatch(w: number): number {
    this.inFlight[w]++;
    return w;
  }
}

/**
 * SGLang's imbalance test `(max - min) > abs && max > min * rel`, with the relative part in f32 as
 * in the Rust (`max as f32 > min as f32 * rel`), so borderline cases round the same way.
 */
export function isImbalanced(max: number, min: number, absThreshold: number, relThreshold: number): boolean {
  return max - min > absThreshold && Math.fround(max) > Math.fround(Math.fround(min) * Math.fround(relThreshold));
}

/** Index of the smallest value; ties to the lowest index (Rust `min_by_key` keeps the first minimum). */
export function argmin(values: ArrayLike<number>): number {
  let best = 0;
  let bestV = values[0];
  for (let i = 1; i < values.length; i++) {
    if (values[i] < bestV) {
      bestV = values[i];
      best = i;
    }
  }
  return best;
}

/**
 * A background task every `intervalS` seconds of simulated time, at t = k * interval (k >= 1), like
 * SGLang's thread that sleeps one interval after the router starts and then works. Late calls run it
 * once and skip the missed slots.
 */
export class Periodic {
  readonly intervalUs: number;
  nextUs: number;

  constructor(intervalS: number) {
    if (!(intervalS > 0)) throw new InvariantError(`period must be > 0 s, got ${intervalS}`);
    this.intervalUs = intervalS * 1e6;
    this.nextUs = this.intervalUs;
  }

  /** True (and the schedule advanced past `nowUs`) when the task is due at `nowUs`. */
  due(nowUs: number): boolean {
    if (nowUs < this.nextUs) return false;
    let k = Math.floor(nowUs / this.intervalUs) + 1;
    if (k * this.intervalUs <= nowUs) k++; // float rounding of the division
    this.nextUs = k * this.intervalUs;
    return true;
  }
}
