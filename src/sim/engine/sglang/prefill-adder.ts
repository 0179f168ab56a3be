/**
 * SGLang's PrefillAdder (managers/schedule_policy.py): admits requests into one prefill batch
 * against three token budgets.
 *
 * - `remTotalTokens` (rem_total_tokens): free + evictable KV, minus what running requests will
 *   still decode (`min(max_new_tokens - output, CLIP_MAX_NEW_TOKENS) x new_token_ratio` each, the
 *   `_get_running_request_total_token_offset`), minus each admitted request's input and, when its
 *   prompt is admitted whole, its clipped max_new_tokens.
 * - `remInputTokens` (rem_input_tokens): max_prefill_tokens of new input per batch.
 * - `remChunkTokens` (rem_chunk_tokens): chunked_prefill_size; a request longer than what is left
 *   is cut to a page multiple and becomes the chunked request.
 *
 * Host hits as upstream `add_one_req` treats them: its extend_input_len counts the host-hit tokens
 * (only GPU hits are prefix before the load-back), so the rem_total_tokens check charges them with
 * the input and output; the rem_input_tokens check (real_input_tokens) and the budget update after
 * the load-back use the tokens to compute, once. The input cap spares the first request of the
 * batch (can_run_list empty, the chunked request's continuation included), and a new chunked
 * request ends the batch. The chunked request's last chunk also reserves its max_new_tokens
 * (`add_chunked_req`: `max_new_tokens if not truncated else 0`).
 */
import type { KvPool } from "../kv-pool.js";
import type { PrefixCache, PrefixMatch } from "../prefix-cache.js";
import type { Req } from "../request.js";

/** SGLang CLIP_MAX_NEW_TOKENS (SGLANG_CLIP_MAX_NEW_TOKENS_ESTIMATION): output reservation cap. */
export const CLIP_MAX_NEW_TOKENS = 4096;

/** SGLang AddReqResult: whether the adder may take another request. */
export const enum AddReqResult {
  Continue = 0,
  /** Out of KV tokens (rem_total_tokens, or the pool could not free the chunk). */
  NoToken = 1,
  /** Another budget or rule stops the batch. */
  Other = 2,
}

export class PrefillAdder {
  remTotalTokens = 0;
  remInputTokens = 0;
  remChunkTokens = 0;
  /** A request admitted with only its first chunk this step (the scheduler's next chunked_req). */
  newChunkedReq: Req | null = null;
  /** The chunked request found no memory for its next chunk: no other may start chunking. */
  private chunkedReqStalled = false;

  /**
   * @param canRunList the batch being formed (SGLang can_run_list); admitted requests are appended
   * @param pageSize tokens per KV page (chunks are cut to page multiples)
   */
  constructor(
    private readonly kv: KvPool,
    private readonly prefix: PrefixCache,
    private readonly canRunList: Req[],
    private readonly pageSize: number,
  ) {}

  /**
   * Starts a batch: the budgets as PrefillAdder.__init__ sets them. `mixedDecodeTokens` is the
   * running batch size when the prefill batch will also decode it (--enable-mixed-chunk): both input
   * budgets leave room for those tokens (`mixed_with_decode_tokens`).
   */
  reset(running: readonly Req[], newTokenRatio: number, maxPrefillTokens: number, chunkedPrefillSize: number, mixedDecodeTokens = 0): void {
    let reserved = 0;
    for (const r of running) reserved += Math.min(r.outputTokens - r.out, CLIP_MAX_NEW_TOKENS) * newTokenRatio;
    this.remTotalTokens = this.kv.availableTokens() - reserved;
    this.remInputTokens = maxPrefillTokens - mixedDecodeTokens;
    this.remChunkTokens = chunkedPrefillSize - mixedDecodeTokens;
    this.newChunkedReq = null;
    this.chunkedReqStalled = false;
  }

  /** budget_state: Continue while every budget has tokens left. */
  budgetState(): AddReqResult {
    if (this.remTotalTokens <= 0) return AddReqResult.NoToken;
    if (this.remInputTokens <= 0 || this.remChunkTokens <= 0) return AddReqResult.Other;
    return AddReqResult.Continue;
  }

  /** add_chunked_req: the chunked request's next chunk, if the pool can hold it. */
  addChunkedReq(c: Req): void {
    const page = this.pageSize;
    const left = c.fillTarget - c.filled;
    const n = left <= this.remChunkTokens ? left : Math.floor(this.remChunkTokens / page) * page;
    if (n > 0 && this.kv.ensureFree(n)) {
      c.stepTokens = n;
      this.kv.alloc(c, n);
      this.canRunList.push(c);
      this.remChunkTokens -= n;
      this.remInputTokens -= n;
      this.remTotalTokens -= n + (n === left ? Math.min(c.outputTokens - c.out, CLIP_MAX_NEW_TOKENS) : 0);
    } else {
      // One chunked request at a time: one whose next chunk found no memory keeps its slot
      // (starting another would orphan it and its KV).
      this.chunkedReqStalled = true;
    }
  }

  /**
   * add_one_req: admits waiting request `r` whose prefix `match(r, m)` just found, whole or (when
   * longer than rem_chunk_tokens) its first chunk, locking the prefix and allocating the chunk.
   * @returns Continue when it was admitted whole and the batch may take more; otherwise the batch
   * ends here (`r` was admitted as the new chunked request when `newChunkedReq === r`).
   */
  addOneReq(r: Req, m: PrefixMatch): AddReqResult {
    const page = this.pageSize;
    const B = this.kv.blockSize;
    const hostTokens = m.l2Blocks * B;
    // Tokens to compute with the host hit loaded back; upstream's extend_input_len adds the host hit.
    const extend = r.fillTarget - m.prefixTokens;
    const maxNew = Math.min(r.outputTokens - r.out, CLIP_MAX_NEW_TOKENS);
    if (extend + hostTokens + maxNew >= this.remTotalTokens) return AddReqResult.NoToken;
    if (this.ceilPage(extend) >= this.remInputTokens && this.canRunList.length > 0) return AddReqResult.Other;
    if (extend > this.remChunkTokens && Math.floor(this.remChunkTokens / page) <= 0) return AddReqResult.Other;
    const prefix = this.prefix.lock(r, m);
    // A load-back that found no GPU room leaves its host part to compute (input_tokens re-checked).
    const left = r.fillTarget - prefix;
    if (left > extend && this.ceilPage(left) >= this.remInputTokens && this.canRunList.length > 0) {
      this.prefix.unlock(r);
      return AddReqResult.Other;
    }
    const n = left <= this.remChunkTokens ? left : Math.floor(this.remChunkTokens / page) * page;
    const whole = n === left;
    if (n <= 0 || (this.chunkedReqStalled && !whole)) {
      this.prefix.unlock(r);
      return AddReqResult.Other;
    }
    if (!this.kv.ensureFree(n)) {
      this.prefix.unlock(r);
      return AddReqResult.NoToken;
    }
    r.stepTokens = n;
    this.kv.alloc(r, n);
    this.canRunList.push(r);
    this.prefix.commitHits(r);
    this.remTotalTokens -= n + (whole ? maxNew : 0);
    this.remInputTokens -= n;
    this.remChunkTokens -= n;
    if (!whole) {
      this.newChunkedReq = r;
      return AddReqResult.Other;
    }
    return AddReqResult.Continue;
  }

  private ceilPage(tokens: number): number {
    return Math.ceil(tokens / this.pageSize) * this.pageSize;
  }
}
