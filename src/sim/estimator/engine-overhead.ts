/**
 * Engine CPU overhead per forward step that is NOT hidden behind GPU work: scheduling the batch,
 * building its input tensors and metadata, processing outputs. Both engines overlap much of this with
 * the GPU (SGLang's overlap scheduler, vLLM v1's async output processing), so these are the exposed
 * remainders, not the full CPU cost.
 *
 * Calibrated on AIConfigurator's measured H100 serving rows (SGLang 0.5.1, vLLM 0.11/0.12; Qwen3-32B,
 * Llama-3.1-70B fp8) by replaying them as `validate e2e` does and minimizing the TPOT error:
 *   node_modules/.bin/tsx scripts/calibrate-engine-overhead.ts <shared-data>/e2e/silicon_h100_dense_agg.csv
 * Change them here (re-run the script); nothing else hard-codes them.
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
 * Calibrated values (scripts/calibrate-engine-overhead.ts; each measurement campaign weighted equally).
 * SGLang 0.5.1 (78 rows): TPOT MAPE 3.7%. Its overlap scheduler prepares the next batch while the
 * GPU runs the current one, so only ~50 µs per step and ~10 µs per running request stay exposed.
 * vLLM (Qwen3-32B 0.12, 90 rows: TPOT 3.8%; Llama-3.1-70B fp8, 45 rows: 8.7%): V1 without async
 * scheduling (opt-in until vLLM PR #27614, "Enable async scheduling by default", late 2025; these
 * rows are from 0.11/0.12-era releases) schedules, prepares inputs and processes outputs between GPU
 * steps, ~50 µs per request in the batch on the critical path (Qwen3-32B tp8 c128 1024x1024: measured
 * TPOT 19.3 ms against an 11 ms decode step plus spread-out prefills). The fit is flat in stepUs
 * (0-300 µs within 0.3 points of TPOT MAPE); 0 is where it landed, partly offsetting the estimator's
 * small-batch fp8 decode bias (Llama c4: +8-14%). Newer vLLM with async scheduling hides part of
 * this; recalibrate when rows from such versions are available.
 */
export const ENGINE_OVERHEAD: Readonly<Record<EngineKind, EngineOverhead>> = {
  sglang: { stepUs: 50, perRequestUs: 10, perPrefillUs: 30 },
  vllm: { stepUs: 0, perRequestUs: 50, perPrefillUs: 100 },
};

/** Exposed engine overhead of one step in µs. */
export function engineOverheadUs(o: EngineOverhead, decodeCount: number, prefillCount: number): number {
  return o.stepUs + o.perRequestUs * (decodeCount + prefillCount) + o.perPrefillUs * prefillCount;
}
