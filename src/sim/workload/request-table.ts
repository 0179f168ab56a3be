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
   * (`after[i] >= 0`) this is ignored and it arrives `afterDelayUs[i]` after that request completes;
   * generators store there a lower bound (predecessor's value + `afterDelayUs`, service time
   * ignored) that analyses without an engine (hit curves) use as an ordering key.
   *
   * Table order (guaranteed by the trace readers and generators): open-loop requests appear in
   * nondecreasing `arrivalUs`, and a released request always comes after its predecessor
   * (`after[i] < i`), so one forward walk can schedule them.
   */
  arrivalUs: Float64Array;
  /** Predecessor whose completion releases this request (session turn, closed-loop client), or -1. */
  after: Int32Array;
  /** Think time after the predecessor completes, µs. */
  afterDelayUs: Float64Array;
  /**
   * The released requests come from one benchmark client process (closed loop): its `afterDelayUs`
   * are CPU time of that one process, spent one request after another, not independent waits.
   */
  serialClient?: boolean;
  inputTokens: Int32Array;
  outputTokens: Int32Array;
  /**
   * Request i's blocks are `hashIds[hashStart[i] .. hashStart[i + 1])`. The first
   * `ceil(inputTokens[i] / blockSize)` cover the prompt (the last may be partial); any further ones
   * cover the answer, known only for synthetic sessions, so the cache can hold them for the next turn.
   *
   * The answer entries continue the token stream prompt+answer from block `floor(inputTokens /
   * blockSize)`: when the prompt's last block is partial, the first answer entry is that same block
   * position completed by the answer (a different id). So the blocks of prompt+answer, in order, are
   * the `fullPromptBlocks` leading prompt entries followed by the answer entries (`forEachStreamBlock`);
   * the next turn of the session starts with exactly these ids.
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

/** Number of prompt blocks of request i that are complete (all `blockSize` tokens inside the prompt). */
export function fullPromptBlocks(t: RequestTable, i: number): number {
  return Math.min(Math.floor(t.inputTokens[i] / t.blockSize), promptBlocks(t, i));
}

/** Number of answer entries of request i (0 for traces and closed-loop clients). */
export function answerBlocks(t: RequestTable, i: number): number {
  return t.hashStart[i + 1] - t.hashStart[i] - promptBlocks(t, i);
}

/**
 * Calls `fn(id, position)` for the blocks of request i's prompt+answer token stream, in order: the
 * complete prompt blocks, then the answer entries. This is what a cache inserts when the request
 * finishes; for requests without answer entries it is the prompt blocks (a partial last one included).
 */
export function forEachStreamBlock(t: RequestTable, i: number, fn: (id: number, position: number) => void): void {
  const s = t.hashStart[i];
  const np = promptBlocks(t, i);
  const na = t.hashStart[i + 1] - s - np;
  const nFull = na > 0 ? fullPromptBlocks(t, i) : np;
  for (let k = 0; k < nFull; k++) fn(t.hashIds[s + k], k);
  for (let k = 0; k < na; k++) fn(t.hashIds[s + np + k], nFull + k);
}

/** One past the largest block id in the table (ids are dense small integers from 0). */
export function hashIdBound(t: RequestTable): number {
  let m = -1;
  const n = t.hashStart[t.count];
  for (let k = 0; k < n; k++) if (t.hashIds[k] > m) m = t.hashIds[k];
  return m + 1;
}
