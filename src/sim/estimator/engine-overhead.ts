/**
 * Engine CPU overhead per forward step that is NOT hidden behind GPU work: scheduling the batch,
 * building its input tensors and metadata, processing outputs. Both engines overlap much of this with
 * the GPU (SGLang's overlap scheduler, vLLM v1's async output processing), so these are the exposed
 * remainders, not the full CPU cost.
 *
 * These are starting values, not measurements: the engine-simulator owner recalibrates them against
 * the measured end-to-end rows (validate e2e). Change them here; nothing else hard-codes them.
 */
import type { EngineKind } from "../../config/types.js";

export interface EngineOverhead {
  /** Fixed exposed CPU time per step (scheduler iteration, launch of the captured graph), µs. */
  stepUs: number;
  /** Per request in the batch (input/position/sampling metadata, output processing), µs. */
  perRequestUs: number;
  /** Extra per prefill entry (prefix match, KV allocation, ragged metadata; no CUDA graph), µs. */
  perPrefillUs: number;
}

/**
 * Defaults. SGLang: ~0.1 ms exposed per step with the overlap scheduler and CUDA-graph decode,
 * a few µs per running request. vLLM (v1): its scheduler and input preparation are somewhat heavier
 * per step and per request.
 */
export const ENGINE_OVERHEAD: Readonly<Record<EngineKind, EngineOverhead>> = {
  sglang: { stepUs: 100, perRequestUs: 2, perPrefillUs: 30 },
  vllm: { stepUs: 150, perRequestUs: 4, perPrefillUs: 30 },
};

/** Exposed engine overhead of one step in µs. */
export function engineOverheadUs(o: EngineOverhead, decodeCount: number, prefillCount: number): number {
  return o.stepUs + o.perRequestUs * (decodeCount + prefillCount) + o.perPrefillUs * prefillCount;
}
