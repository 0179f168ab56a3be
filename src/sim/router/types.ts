/**
 * The global router's contract. A router sees only what a real router sees: the requests it
 * dispatched (its own in-flight counts), periodically polled loads, and request prompts; never a
 * replica's true cache.
 */
import type { RouterPolicy } from "../../config/types.js";

/** The prompt of a request as the router sees it; the caller refills one instance per arrival. */
export interface RouteRequest {
  /** Request index in the workload table. */
  index: number;
  inputTokens: number;
  /** Tokens per block of `hashIds`. */
  blockSize: number;
  /** Prefix-chained block ids (see RequestTable); the prompt's blocks are hashIds[hashStart, hashEnd). */
  hashIds: Int32Array;
  hashStart: number;
  hashEnd: number;
}

/** Router parameters with every default resolved (SGLang model-gateway CLI defaults). */
export interface RouterConfig {
  policy: RouterPolicy;
  cacheThreshold: number;
  balanceAbsThreshold: number;
  balanceRelThreshold: number;
  evictionIntervalS: number;
  /** Per-worker size cap of the approximate tree, in tokens (SGLang counts characters). */
  maxTreeSize: number;
  loadPollIntervalS: number;
  bucketAdjustIntervalS: number;
}

export interface Router {
  readonly policy: RouterPolicy;
  /** Picks the replica for a request arriving at `nowUs`. */
  route(req: RouteRequest, nowUs: number): number;
  /** A request dispatched to `replica` completed (the router's in-flight count drops). */
  onComplete(replica: number, nowUs: number): void;
  /**
   * Loads polled from the replicas (SGLang LoadMonitor `/get_load`: KV tokens in use + queued input
   * tokens), delivered every `loadPollIntervalS`.
   */
  onLoadPoll(loads: Float64Array, nowUs: number): void;
  /** Periodic work (approximate-tree eviction, bucket re-cut). Returns the next time it wants to run, µs, or Infinity. */
  housekeeping(nowUs: number): number;
}
