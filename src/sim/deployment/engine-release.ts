/**
 * What an engine release decides by default, per version (docs/engine-versions.md has the table
 * with upstream sources):
 * - SGLang `mem_fraction_static`: the legacy rule of 0.5.0-0.5.2 (server_args.py
 *   `ServerArgs.__post_init__`, reserved GiB by GPU memory bucket) or, from 0.5.3, the reserve rule
 *   of `ServerArgs._handle_gpu_memory_settings` (512 MiB + 1.5 x chunk + 2 x cuda_graph_max_bs +
 *   tp/8 GiB, at least 10 GiB on GPUs above 60 GiB);
 * - SGLang `chunked_prefill_size` (0.5.3 added the 4096 bucket below 60 GiB) and the decode CUDA
 *   graph's largest batch (0.5.1: the capture list of cuda_graph_runner.py
 *   `get_batch_sizes_to_capture`, 160 on 80 GB GPUs; 0.5.3+: 256 below TP 4, 512 from TP 4);
 * - SGLang `retract_decode`: 0.5.1 retracts until 20 free tokens per remaining request
 *   (retract_decode_steps), 0.5.3+ until the next decode step fits (`check_decode_mem`);
 * - vLLM (0.10-0.12, vllm/engine/arg_utils.py `_set_default_args` / `get_batch_defaults`):
 *   8192 batched tokens and 1024 sequences on >= 70 GiB GPUs other than A100, else 2048 / 256;
 *   gpu_memory_utilization 0.9; CUDA graphs up to min(2 x max_num_seqs, 512) tokens, PIECEWISE mode
 *   (attention outside the graph) in 0.10.x, FULL_AND_PIECEWISE from 0.11.0; no async scheduling
 *   before 0.14 (the engine's CPU work is on the critical path).
 * GPU memory is nvidia-smi's `memory.total` in MiB, which SGLang's rules read
 * (`get_nvgpu_memory_capacity`): about 0.43% under the nominal GiB (H100 81,559 of 81,920 MiB,
 * H200 143,771 of 144,384).
 */
import type { EngineKind, GpuSpec } from "../../config/types.js";
import { atLeastVersion } from "./engine-version.js";

/** nvidia-smi memory.total of a GPU with `hbmGb` of HBM, MiB. */
export function gpuMemMiB(gpu: Pick<GpuSpec, "hbmGb">): number {
  return Math.round(gpu.hbmGb * 1024 * 0.9957);
}

/** How the engine's CPU work per step relates to the GPU's. */
export type CpuOverlap = "overlap" | "serial";

export interface EngineRelease {
  kind: EngineKind;
  version: string;
  /** SGLang mem_fraction_static / vLLM gpu_memory_utilization default. */
  memFraction: number;
  /** SGLang chunked_prefill_size / vLLM max_num_batched_tokens default. */
  chunkedPrefillSize: number;
  /** vLLM max_num_seqs default (SGLang's comes from the KV pool). */
  maxRunningRequests?: number;
  /** Largest decode batch (SGLang) or step (vLLM, tokens) that runs as a CUDA graph. */
  cudaGraphMaxBs: number;
  /** vLLM 0.10.x captures pieces between attention calls; attention runs eagerly. */
  piecewiseDecodeGraph: boolean;
  /** SGLang retract_decode stops once this many free tokens per remaining request are available. */
  retractFreeTokensPerReq: number;
  /**
   * SGLang's overlap scheduler prepares the next batch while the GPU runs this one; vLLM before
   * 0.14 (no async scheduling) schedules, prepares and processes outputs between GPU steps.
   */
  cpuOverlap: CpuOverlap;
}

/** SGLang chunked_prefill_size default by GPU memory. */
export function sglangChunkedPrefill(version: string, gpu: Pick<GpuSpec, "hbmGb">): number {
  const gib = gpuMemMiB(gpu) / 1024;
  if (gib < 35) return 2048;
  if (gib < 60 && atLeastVersion(version, "0.5.3")) return 4096;
  if (gib < 160) return 8192;
  return 16384;
}

/** SGLang's largest captured decode batch by GPU memory and TP. */
export function sglangCudaGraphMaxBs(version: string, gpu: Pick<GpuSpec, "hbmGb">, tp: number): number {
  const mib = gpuMemMiB(gpu);
  if (!atLeastVersion(version, "0.5.3")) {
    // cuda_graph_runner.get_batch_sizes_to_capture: 1..160, +160..256 above 90 GiB, +256..512 above 160 GB.
    if (mib < 35 * 1024) return tp < 4 ? 8 : 80;
    if (mib > 160 * 1000) return 512;
    if (mib > 90 * 1024) return 256;
    return 160;
  }
  if (mib < 20 * 1024) return 8;
  if (mib < 35 * 1024) return tp < 4 ? 24 : 80;
  if (mib < 60 * 1024) return tp < 4 ? 32 : 160;
  if (mib < 160 * 1024) return tp < 4 ? 256 : 512;
  return 512;
}

/** SGLang's default mem_fraction_static for the release, GPU and TP (no speculative decoding, no DP attention). */
export function sglangMemFraction(version: string, gpu: Pick<GpuSpec, "hbmGb">, tp: number): number {
  const mib = gpuMemMiB(gpu);
  let reservedMiB: number;
  if (!atLeastVersion(version, "0.5.3")) {
    const gib = mib / 1024;
    reservedMiB =
      (gib < 35 ? 2.8 + tp / 10 : gib < 90 ? 9.5 + tp / 2 : gib < 160 ? 12 + tp / 2 : 32) * 1024;
  } else {
    const chunk = sglangChunkedPrefill(version, gpu);
    reservedMiB = 512 + 1.5 * Math.max(chunk, 2048) + 2 * sglangCudaGraphMaxBs(version, gpu, tp) + (tp / 8) * 1024;
    if (mib > 60 * 1024) reservedMiB = Math.max(reservedMiB, 10 * 1024);
  }
  return Math.round(((mib - reservedMiB) / mib) * 1000) / 1000;
}

/** vLLM's batch defaults: large GPUs (>= 70 GiB, not A100) get 8192 tokens / 1024 sequences. */
export function vllmBatchDefaults(gpu: Pick<GpuSpec, "id" | "hbmGb">): { tokens: number; seqs: number } {
  return gpuMemMiB(gpu) >= 70 * 1024 && !gpu.id.startsWith("a100") ? { tokens: 8192, seqs: 1024 } : { tokens: 2048, seqs: 256 };
}

/** The defaults and behaviour of `kind` at `version` on `gpu` with `tp` GPUs. */
export function engineRelease(kind: EngineKind, version: string, gpu: GpuSpec, tp: number): EngineRelease {
  if (kind === "vllm") {
    const v = vllmBatchDefaults(gpu);
    return {
      kind, version,
      memFraction: 0.9,
      chunkedPrefillSize: v.tokens,
      maxRunningRequests: v.seqs,
      cudaGraphMaxBs: Math.min(2 * v.seqs, 512),
      piecewiseDecodeGraph: !atLeastVersion(version, "0.11.0"),
      retractFreeTokensPerReq: 1,
      cpuOverlap: "serial",
    };
  }
  return {
    kind, version,
    memFraction: sglangMemFraction(version, gpu, tp),
    chunkedPrefillSize: sglangChunkedPrefill(version, gpu),
    cudaGraphMaxBs: sglangCudaGraphMaxBs(version, gpu, tp),
    piecewiseDecodeGraph: false,
    retractFreeTokensPerReq: atLeastVersion(version, "0.5.3") ? 1 : 20,
    cpuOverlap: "overlap",
  };
}
