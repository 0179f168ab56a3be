/**
 * A workload as compact typed arrays: one row per request, no per-request objects. Traces and
 * synthetic generators both produce this; the simulator reads it.
 *
 * Prefix sharing is always block hashes. `hashIds` are *prefix-chained*: the same id at position k
 * of two requests implies the same ids at positions 0..k, so a cache can key a block by its id
 * alone. Trace readers intern (parent, raw hash) pairs to guarantee this.
 */
export interface RequestTable {
  /** Number of requests. */
  count: number;
  /** Tokens per hash block. */
  blockSize: number;
  /**
   * Arrival time in µs for open-loop requests. For a request released by another one
   * (`after[i] >= 0`) this is ignored and it arrives `afterDelayUs[i]` after that request completes.
   */
  arrivalUs: Float64Array;
  /** Predecessor whose completion releases this request (session turn, closed-loop client), or -1. */
  after: Int32Array;
  /** Think time after the predecessor completes, µs. */
  afterDelayUs: Float64Array;
  inputTokens: Int32Array;
  outputTokens: Int32Array;
  /**
   * Request i's blocks are `hashIds[hashStart[i] .. hashStart[i + 1])`. The first
   * `ceil(inputTokens[i] / blockSize)` cover the prompt (the last may be partial); any further ones
   * cover the answer, known only for synthetic sessions, so the cache can hold them for the next turn.
   */
  hashStart: Int32Array;
  hashIds: Int32Array;
  /** Session (conversation) id per request, -1 when unknown; used by session-affine analyses. */
  sessionId: Int32Array;
}

/** Number of prompt blocks of request i (the last one may be partial). */
export function promptBlocks(t: RequestTable, i: number): number {
  return Math.min(Math.ceil(t.inputTokens[i] / t.blockSize), t.hashStart[i + 1] - t.hashStart[i]);
}

/** An empty table with room for `count` requests and `hashCapacity` block ids. */
export function allocRequestTable(count: number, blockSize: number, hashCapacity: number): RequestTable {
  return {
    count,
    blockSize,
    arrivalUs: new Float64Array(count),
    after: new Int32Array(count).fill(-1),
    afterDelayUs: new Float64Array(count),
    inputTokens: new Int32Array(count),
    outputTokens: new Int32Array(count),
    hashStart: new Int32Array(count + 1),
    hashIds: new Int32Array(hashCapacity),
    sessionId: new Int32Array(count).fill(-1),
  };
}
