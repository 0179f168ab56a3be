/**
 * vLLM V1's scheduler (vllm/v1/core/sched/scheduler.py, `Scheduler.schedule`): one token budget
 * (max_num_batched_tokens) per step, running requests first, then waiting ones; prefill chunks and
 * decodes share the step.
 *
 * - Running requests in order each get their remaining prefill (up to the budget) or one decode
 *   token. When the KV pool cannot hold that (`kv_cache_manager.allocate_slots` fails), the newest
 *   running request is preempted by recompute (`self.running.pop()` + `_preempt_request`: its KV is
 *   freed, it goes back to the front of the waiting queue) until it fits; when the request being
 *   scheduled is itself the newest, it is preempted and the running pass stops.
 * - Waiting requests in order are admitted while budget and max_num_seqs allow, each with its
 *   cached prefix (`get_computed_blocks`) and as much of the rest as the budget leaves; the first
 *   one the pool cannot hold stops admission. A request still prefetching from L3 under its stop
 *   policy is skipped.
 *
 * A step that preempted admits no waiting request (upstream's `if not preempted_reqs:` around the
 * waiting loop).
 */
import { newPrefixMatch } from "../prefix-cache.js";
import { ReqPhase } from "../request.js";
import { retractReq, type Scheduler, type SchedulerContext } from "../scheduler.js";

export class VllmScheduler implements Scheduler {
  private readonly m = newPrefixMatch();

  constructor(private readonly ctx: SchedulerContext) {}

  formBatch(nowUs: number): boolean {
    const ctx = this.ctx;
    const { queues: q, kv, prefix, hicache } = ctx;
    const e = ctx.dep.engine;
    const b = q.batch;
    const run = q.running;
    let budget = e.chunkedPrefillSize;
    let preempted = false;
    for (let i = 0; i < run.length && budget > 0; ) {
      const r = run[i];
      const n = r.filled < r.fillTarget ? Math.min(r.fillTarget - r.filled, budget) : 1;
      let ok = kv.ensureFree(n);
      while (!ok && run.length > i + 1) {
        const victim = run.pop()!;
        retractReq(ctx, victim);
        q.waiting.unshift(victim);
        preempted = true;
        ok = kv.ensureFree(n);
      }
      if (!ok) {
        // r itself is the newest: preempt it and stop.
        preempted = true;
        run.splice(i, 1);
        retractReq(ctx, r);
        q.waiting.unshift(r);
        break;
      }
      r.stepTokens = n;
      kv.alloc(r, n);
      b.push(r);
      budget -= n;
      i++;
    }
    const waiting = q.waiting;
    for (let i = 0; !preempted && i < waiting.length && budget > 0 && run.length < e.maxRunningRequests; ) {
      const r = waiting[i];
      if (!hicache.checkPrefetchProgress(r, nowUs)) {
        i++;
        continue;
      }
      const cached = prefix.lock(r, prefix.match(r, this.m));
      const n = Math.min(r.fillTarget - cached, budget);
      if (!kv.ensureFree(n)) {
        prefix.unlock(r);
        break;
      }
      waiting.splice(i, 1);
      prefix.commitHits(r);
      r.phase = ReqPhase.Running;
      run.push(r);
      r.stepTokens = n;
      kv.alloc(r, n);
      b.push(r);
      budget -= n;
    }
    if (b.length > 0 && hasPrefill(b)) ctx.stats.prefillSteps++;
    return b.length > 0;
  }
}

function hasPrefill(batch: readonly { filled: number; fillTarget: number }[]): boolean {
  for (const r of batch) if (r.filled < r.fillTarget) return true;
  return false;
}
