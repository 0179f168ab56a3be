/**
 * SGLang ScheduleBatch.retract_decode (managers/schedule_batch.py): when the next decode step does
 * not fit the KV pool, retract running requests, the ones with the least output first (most input
 * among equals), until it fits or one is left; their KV is freed and they recompute later. The
 * scheduler then re-estimates new_token_ratio from the requests that stay.
 */
import { retractReq, type SchedulerContext } from "../scheduler.js";

/** SGLang SGLANG_RETRACT_DECODE_STEPS: decode steps the new ratio estimate looks ahead. */
export const RETRACT_DECODE_STEPS = 20;

/**
 * Retracts from `ctx.queues.running` (re-sorted: most output first, then least input, then table
 * row) to the end of the waiting queue: at least one request, then until `freePerReq` tokens per
 * request still running are available, or one is left. `freePerReq` is 1 from SGLang 0.5.3 (the
 * next decode step fits, `check_decode_mem`) and RETRACT_DECODE_STEPS in 0.5.1 (its retract_decode
 * stops at `available_size >= len(remaining) * retract_decode_steps`).
 * @returns the new new_token_ratio: (decoded + RETRACT_DECODE_STEPS x running) / (max_new + 1), at most 1
 */
export function retractDecode(ctx: SchedulerContext, freePerReq: number): number {
  const run = ctx.queues.running;
  run.sort((a, b) => b.out - a.out || a.inputTokens - b.inputTokens || a.idx - b.idx);
  let first = true;
  while (run.length > 1 && (first || ctx.kv.availableTokens() < freePerReq * run.length)) {
    first = false;
    const r = run.pop()!;
    retractReq(ctx, r);
    ctx.queues.waiting.push(r);
  }
  let decoded = 0;
  let maxNew = 0;
  for (const r of run) {
    decoded += r.out;
    maxNew += r.outputTokens;
  }
  return Math.min(1, (decoded + RETRACT_DECODE_STEPS * run.length) / (maxNew + 1));
}
