/**
 * The batch latency estimator's contract. A batch is a list of requests, each contributing
 * `inputLen` new tokens on top of `cacheLen` tokens already in its KV cache: a decode has
 * inputLen 1, a prefill chunk has inputLen = chunk size and cacheLen = cached prefix + earlier chunks.
 */

export interface BatchEntry {
  /** Tokens of this request already in the KV cache. */
  cacheLen: number;
  /** New tokens processed for this request in this step. */
  inputLen: number;
}

/** Milliseconds by operator class; they sum to `latencyMs`. */
export interface StepBreakdown {
  /** Linear layers: QKV, O, MLP or MoE router + experts, LM head. */
  gemmMs: number;
  /** Prefill (context) and decode (generation) attention. */
  attentionMs: number;
  /** TP all-reduce (and all-gather of logits). */
  commMs: number;
  /** Norms, rope, activation, residual, embedding, sampling, engine CPU overhead. */
  otherMs: number;
}

export interface StepEstimate {
  latencyMs: number;
  breakdown: StepBreakdown;
}

/**
 * A batch summarized for the simulator's hot loop; the engine refills one instance in place every
 * step. Decodes are aggregated (attention over KV is linear in total context); prefill entries are
 * listed because attention is quadratic in each request's length.
 */
export interface BatchSummary {
  /** Requests decoding one token this step. */
  decodeCount: number;
  /** Sum over those requests of their context length (tokens already cached). */
  decodeContextSum: number;
  /** Requests extending by more than one token (prefill or a prefill chunk). */
  prefillCount: number;
  /** New tokens per prefill entry; only [0, prefillCount) is meaningful. */
  prefillNew: Int32Array;
  /** Cached prefix tokens per prefill entry. */
  prefillCached: Int32Array;
}

export interface StepEstimator {
  /** One forward step with its breakdown, for `estimate` and tests. */
  estimate(batch: readonly BatchEntry[]): StepEstimate;
  /** Latency of one step in µs. Memoized: the simulator calls this every step. */
  stepUs(batch: BatchSummary): number;
}

export function newBatchSummary(maxPrefill = 1024): BatchSummary {
  return {
    decodeCount: 0,
    decodeContextSum: 0,
    prefillCount: 0,
    prefillNew: new Int32Array(maxPrefill),
    prefillCached: new Int32Array(maxPrefill),
  };
}
