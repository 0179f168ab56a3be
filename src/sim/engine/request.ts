/**
 * State of one request in flight on a replica. Objects are pooled: one per request in flight, none
 * per token, released at completion, so memory follows the load, not the trace.
 */
import type { RequestTable } from "../workload/request-table.js";

export const enum ReqPhase {
  Waiting = 0,
  Running = 1,
  Done = 2,
}

export class Req {
  /** Row in the RequestTable. */
  idx = 0;
  arrivalUs = 0;
  inputTokens = 0;
  outputTokens = 0;
  /** Range of this request's block ids in the table's hashIds. */
  hashStart = 0;
  hashEnd = 0;
  /** Prompt blocks that are full (hashable in the cache). */
  promptFullBlocks = 0;

  phase = ReqPhase.Waiting;
  /** Tokens to (re)compute before decoding: the prompt, plus generated tokens after a retraction. */
  fillTarget = 0;
  /** Tokens of fillTarget whose KV exists (cached prefix + computed chunks). */
  filled = 0;
  /** Generated tokens so far. */
  out = 0;
  /** Leading blocks committed to the tree and locked by this request. */
  treeBlocks = 0;
  /** Deepest locked node (0 = nothing locked). */
  lockNode = 0;
  /** KV tokens held outside the tree (computed, not yet committed). */
  privateTokens = 0;
  /** Tokens scheduled in the current step. */
  stepTokens = 0;

  /** When the front end hands the request to the scheduler (tokenized). */
  readyUs = 0;
  /** When the front end streamed the first and the latest token. */
  firstTokenUs = -1;
  lastTokenUs = 0;

  /** Prefix-hit accounting, tokens, set at first admission. */
  hitL1 = 0;
  hitL2 = 0;
  hitL3 = 0;
  admittedOnce = false;

  /** L3 prefetch in flight (blocks > 0): range after the matched prefix, and its transfer window. */
  pfFrom = 0;
  pfBlocks = 0;
  pfStartUs = 0;
  pfEndUs = 0;
  pfNode = 0;
  /** Blocks that arrived from L3 (after termination). */
  l3Blocks = 0;

  /**
   * Back to the waiting state after its KV was freed: it recomputes prompt + generated tokens when
   * readmitted (SGLang `Req.reset_for_retract` in managers/schedule_batch.py; vLLM sets
   * `num_computed_tokens = 0` in `Scheduler._preempt_request`).
   */
  resetForRetract(): void {
    this.phase = ReqPhase.Waiting;
    this.fillTarget = this.inputTokens + this.out;
    this.filled = 0;
    this.stepTokens = 0;
  }

  reset(): void {
    this.phase = ReqPhase.Waiting;
    this.fillTarget = 0;
    this.filled = 0;
    this.out = 0;
    this.treeBlocks = 0;
    this.lockNode = 0;
    this.privateTokens = 0;
    this.stepTokens = 0;
    this.readyUs = 0;
    this.firstTokenUs = -1;
    this.lastTokenUs = 0;
    this.hitL1 = 0;
    this.hitL2 = 0;
    this.hitL3 = 0;
    this.admittedOnce = false;
    this.pfFrom = 0;
    this.pfBlocks = 0;
    this.pfStartUs = 0;
    this.pfEndUs = 0;
    this.pfNode = 0;
    this.l3Blocks = 0;
  }
}

/** A free list of Req objects. */
export class ReqPool {
  private free: Req[] = [];
  live = 0;
  peakLive = 0;

  take(): Req {
    const r = this.free.pop() ?? new Req();
    r.reset();
    this.live++;
    if (this.live > this.peakLive) this.peakLive = this.live;
    return r;
  }

  give(r: Req): void {
    r.phase = ReqPhase.Done;
    this.live--;
    this.free.push(r);
  }
}

/**
 * Fills `r` with row `i` of `table`: arrival, lengths, block range and full prompt blocks. Returns
 * the prompt's block count (what a prefix match or a router can see).
 */
export function loadRow(r: Req, table: RequestTable, i: number, arrivalUs: number): number {
  const B = table.blockSize;
  r.idx = i;
  r.arrivalUs = arrivalUs;
  r.inputTokens = table.inputTokens[i];
  r.outputTokens = table.outputTokens[i];
  r.hashStart = table.hashStart[i];
  r.hashEnd = table.hashStart[i + 1];
  const promptBlocks = Math.min(Math.ceil(r.inputTokens / B), r.hashEnd - r.hashStart);
  r.promptFullBlocks = Math.min(Math.floor(r.inputTokens / B), promptBlocks);
  return promptBlocks;
}
