/**
 * What a replica needs from its engine's scheduler, and the queues they share. The replica owns the
 * event loop, step timing and token emission; a scheduler decides, each time the replica is free,
 * which requests run in the next step and how many tokens each computes (SGLang
 * `Scheduler.get_next_batch_to_run` in managers/scheduler.py, vLLM `Scheduler.schedule` in
 * vllm/v1/core/sched/scheduler.py).
 */
import type { HiCacheController } from "../cache/hicache-controller.js";
import type { RadixCache } from "../cache/radix-cache.js";
import type { ResolvedDeployment } from "../deployment/resolve.js";
import type { RequestTable } from "../workload/request-table.js";
import type { KvPool } from "./kv-pool.js";
import type { PrefixCache } from "./prefix-cache.js";
import type { ReplicaStats } from "./replica-stats.js";
import type { Req } from "./request.js";

export interface Scheduler {
  /**
   * Forms the next step in `queues.batch`: sets each member's `stepTokens` (prefill chunk, or 1 to
   * decode) and allocates their KV. @returns false when nothing can run now.
   */
  formBatch(nowUs: number): boolean;
}

/** Request queues of one replica, shared by the replica and its scheduler. */
export class SchedulerQueues {
  /** Arrived, not running (new, or retracted / preempted to recompute). */
  readonly waiting: Req[] = [];
  /** Prefilled (SGLang) or admitted (vLLM) requests that decode. */
  readonly running: Req[] = [];
  /** SGLang chunked_req: the one request whose prefill spans several steps (never set by vLLM). */
  chunked: Req | null = null;
  /** The step being run. */
  readonly batch: Req[] = [];

  /** Requests queued or running here. */
  get inFlight(): number {
    return this.waiting.length + this.running.length + (this.chunked ? 1 : 0);
  }
}

/** The replica parts a scheduler works with. */
export interface SchedulerContext {
  readonly id: number;
  readonly dep: ResolvedDeployment;
  readonly table: RequestTable;
  readonly queues: SchedulerQueues;
  readonly cache: RadixCache;
  readonly kv: KvPool;
  readonly prefix: PrefixCache;
  readonly hicache: HiCacheController;
  readonly stats: ReplicaStats;
}

/**
 * Frees a running request's KV and puts it back in the waiting state (the caller queues it): it
 * recomputes prompt + generated tokens when readmitted. SGLang retract_decode's per-request part
 * (managers/schedule_batch.py), vLLM `Scheduler._preempt_request` (preemption by recompute).
 */
export function retractReq(ctx: SchedulerContext, r: Req): void {
  ctx.stats.retractions++;
  ctx.kv.free(r);
  r.resetForRetract();
}
