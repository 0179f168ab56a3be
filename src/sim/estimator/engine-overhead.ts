/**
 * The engine's CPU work per forward step (scheduling the batch, building its input tensors and
 * attention metadata, processing the sampled tokens) and how much of it the GPU waits for.
 *
 * One set of costs for both engines (both are Python schedulers over the same kind of batch); what
 * differs is the structure, from the release (`ResolvedEngine.cpuOverlap`):
 * - serial (vLLM before 0.14, whose async scheduling is off by default: `SchedulerConfig`
 *   `async_scheduling`): schedule, prepare and process outputs between GPU steps, so all of it adds
 *   to the step;
 * - overlap (SGLang's overlap scheduler, on by default in every modelled release:
 *   managers/scheduler.py `event_loop_overlap`): the next batch is prepared while the GPU runs this
 *   one; only `overlapExposedShare` of the work (the result synchronization and the launch of the
 *   next step) stays on the critical path, and all of what exceeds the GPU step.
 *
 * Steps that do not run as one CUDA graph also pay the CPU launch of every kernel, which the GPU can
 * hide only while it has earlier kernels to run: the step takes max(GPU time, launches).
 *
 * Calibrated on AIConfigurator's measured H100 serving rows (scripts/calibrate-e2e.ts; the fit and
 * its leave-one-campaign-out check are in docs/fidelity.md). Change them there; nothing else
 * hard-codes them.
 */
import type { CpuOverlap } from "../deployment/engine-release.js";

export interface EngineOverhead {
  /** CPU time per step (scheduler iteration, launch of the captured graph), µs. */
  stepUs: number;
  /** Per request in the batch (input/position/sampling metadata, output processing), µs. */
  perRequestUs: number;
  /** Extra per prefill entry (prefix match, KV allocation, ragged metadata), µs. */
  perPrefillUs: number;
  /** Share of the step's CPU work an overlap scheduler cannot hide. */
  overlapExposedShare: number;
}

/**
 * Fitted on the measured H100 rows' TPOT (scripts/calibrate-e2e.ts, every campaign weighing the same;
 * stepUs is not fitted: 0-300 us moved TPOT by under 0.3 points in the earlier per-engine fit). vLLM
 * 0.12 exposes all of it: at 128 running requests, 5 ms of CPU per step, which the measured TPOT of
 * Qwen3-32B tp8 c128 (19.3 ms against an 11 ms decode step plus prefills) shows.
 */
export const ENGINE_OVERHEAD: Readonly<EngineOverhead> = {
  stepUs: 0,
  perRequestUs: 40,
  perPrefillUs: 400,
  overlapExposedShare: 0.2,
};

/**
 * CPU time of one eagerly launched kernel (PyTorch dispatch and cudaLaunchKernel from Python), µs.
 * Both engines capture decode steps as CUDA graphs precisely because a step of a few hundred such
 * launches would otherwise take milliseconds of CPU.
 */
export const EAGER_LAUNCH_US = 8;

/** CPU time of the step's scheduling work, µs. */
export function engineCpuUs(o: EngineOverhead, decodeCount: number, prefillCount: number): number {
  return o.stepUs + o.perRequestUs * (decodeCount + prefillCount) + o.perPrefillUs * prefillCount;
}

/**
 * Step time, µs, from the GPU time `gpuUs`, the CPU time of the kernel launches it needs
 * (`launchUs`, 0 for a captured graph) and the scheduling work `cpuUs`.
 */
export function stepWithCpuUs(o: EngineOverhead, overlap: CpuOverlap, gpuUs: number, launchUs: number, cpuUs: number): number {
  const run = Math.max(gpuUs, launchUs);
  if (overlap === "serial") return run + cpuUs;
  return run + Math.max(cpuUs - run, o.overlapExposedShare * cpuUs);
}
