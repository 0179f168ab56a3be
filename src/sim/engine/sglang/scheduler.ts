/**
 * SGLang's scheduler loop (managers/scheduler.py), prefill first: `get_next_batch_to_run` runs a
 * prefill batch whenever the PrefillAdder admits anything (the chunked request's next chunk first,
 * `get_new_batch_prefill`; with --enable-mixed-chunk the running requests decode in it too),
 * otherwise one decode step of the whole running batch
 * (`update_running_batch`), retracting requests when that step does not fit (`retract_decode`).
 *
 * new_token_ratio, the fraction of their remaining max_new_tokens the adder reserves for running
 * requests, starts at init_new_token_ratio (0.7 x schedule_conservativeness), decays each decode
 * step towards min_new_token_ratio (0.14 x init) over 600 steps, is re-estimated after a
 * retraction (a step that retracted does not decay it, as `update_running_batch` does) and reset
 * when the replica goes idle.
 */
import { InvariantError } from "../../../errors.js";
import { newPrefixMatch } from "../prefix-cache.js";
import { retractReq, type Scheduler, type SchedulerContext } from "../scheduler.js";
import { AddReqResult, PrefillAdder } from "./prefill-adder.js";
import { retractDecode } from "./schedule-batch.js";
import { SchedulePolicy } from "./schedule-policy.js";

export class SglangScheduler implements Scheduler {
  newTokenRatio: number;
  readonly initNewTokenRatio: number;
  readonly minNewTokenRatio: number;
  readonly newTokenRatioDecay: number;
  private readonly adder: PrefillAdder;
  private readonly policy: SchedulePolicy;
  private readonly m = newPrefixMatch();

  constructor(private readonly ctx: SchedulerContext) {
    const e = ctx.dep.engine;
    this.initNewTokenRatio = Math.min(0.7 * e.schedConservativeness, 1);
    this.minNewTokenRatio = this.initNewTokenRatio * 0.14;
    this.newTokenRatioDecay = (this.initNewTokenRatio - this.minNewTokenRatio) / 600;
    this.newTokenRatio = this.initNewTokenRatio;
    this.adder = new PrefillAdder(ctx.kv, ctx.prefix, ctx.queues.batch, Math.max(1, e.pageSize));
    this.policy = new SchedulePolicy(e.schedulePolicy, ctx.cache, ctx.table, ctx.prefix);
  }

  formBatch(nowUs: number): boolean {
    const formed = this.getNextBatchToRun(nowUs);
    const q = this.ctx.queues;
    // Idle (self_check_during_idle): the next burst starts from the initial estimate again.
    if (!formed && q.running.length === 0 && q.waiting.length === 0 && !q.chunked) this.newTokenRatio = this.initNewTokenRatio;
    return formed;
  }

  /** get_next_batch_to_run: a prefill batch if one can be formed, else a decode step. */
  private getNextBatchToRun(nowUs: number): boolean {
    const q = this.ctx.queues;
    if (q.chunked || (q.waiting.length > 0 && q.running.length < this.ctx.dep.engine.maxRunningRequests)) {
      if (this.getNewBatchPrefill(nowUs)) {
        this.ctx.stats.prefillSteps++;
        return true;
      }
    }
    if (q.running.length === 0) return false;
    return this.updateRunningBatch(nowUs);
  }

  /**
   * get_new_batch_prefill: the chunked request's next chunk, then waiting requests in policy order
   * until a budget, max_running_requests or a request's L3 prefetch stops the batch (a request
   * still prefetching under its stop policy is skipped, not blocking).
   */
  private getNewBatchPrefill(nowUs: number): boolean {
    const { queues: q, hicache, prefix } = this.ctx;
    const e = this.ctx.dep.engine;
    const b = q.batch;
    const adder = this.adder;
    const mixed = e.enableMixedChunk ? q.running.length : 0;
    adder.reset(q.running, this.newTokenRatio, e.maxPrefillTokens, e.chunkedPrefillSize, mixed);
    if (q.chunked) adder.addChunkedReq(q.chunked);
    this.policy.calcPriority(q.waiting);
    const waiting = q.waiting;
    for (let i = 0; i < waiting.length; ) {
      if (adder.budgetState() !== AddReqResult.Continue) break;
      if (q.running.length + b.length >= e.maxRunningRequests) break;
      const r = waiting[i];
      if (!hicache.checkPrefetchProgress(r, nowUs)) {
        i++;
        continue;
      }
      const before = b.length;
      const res = adder.addOneReq(r, prefix.match(r, this.m));
      if (b.length > before) waiting.splice(i, 1);
      if (res !== AddReqResult.Continue) break;
    }
    if (adder.newChunkedReq) q.chunked = adder.newChunkedReq;
    // --enable-mixed-chunk (scheduler.get_new_batch_prefill: `new_batch.mix_with_running`): the
    // running requests decode one token in this prefill batch instead of waiting for it, when the
    // pool holds their next tokens (else they decode in the next step).
    if (mixed > 0 && b.length > 0 && this.ctx.kv.ensureFree(q.running.length)) {
      for (const r of q.running) {
        r.stepTokens = 1;
        this.ctx.kv.alloc(r, 1);
        b.push(r);
      }
    }
    return b.length > 0;
  }

  /**
   * update_running_batch: one token for every running request; check_decode_mem failing means
   * retract_decode, and if the chunked request's KV is what the last running request needs, it is
   * retracted too (it restarts its prefill later) rather than stall decoding forever.
   */
  private updateRunningBatch(nowUs: number): boolean {
    const ctx = this.ctx;
    const { queues: q, kv } = ctx;
    let need = q.running.length;
    const retracted = kv.availableTokens() < need;
    if (retracted) this.newTokenRatio = retractDecode(ctx, ctx.dep.engine.retractFreeTokensPerReq);
    if (kv.availableTokens() < q.running.length && q.chunked) {
      const c = q.chunked;
      q.chunked = null;
      retractReq(ctx, c);
      q.waiting.unshift(c);
    }
    need = q.running.length;
    if (need === 0) return q.waiting.length > 0 ? this.getNextBatchToRun(nowUs) : false;
    if (!kv.ensureFree(need)) throw new InvariantError(`replica ${ctx.id}: cannot fit ${need} decode tokens after retraction`);
    const b = q.batch;
    for (const r of q.running) {
      r.stepTokens = 1;
      kv.alloc(r, 1);
      b.push(r);
    }
    if (!retracted) this.newTokenRatio = Math.max(this.minNewTokenRatio, this.newTokenRatio - this.newTokenRatioDecay);
    return true;
  }
}
