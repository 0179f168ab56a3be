/**
 * Parametric operator time models ("roofline with fitted efficiencies"). The same functions are used
 * at run time and by `scripts/compact-profiles.ts` to fit the parameters, so a fit and its use cannot
 * drift apart. Efficiencies are dimensionless; serial-latency terms are scaled by `latencyScale(gpu)`
 * (the SM clock), launch floors are the same on every GPU.
 */
import type { GpuSpec } from "../../config/types.js";
import type { AllreduceParams, AttentionParams, ElementwiseParams, GemmParams } from "./kernel-profiles.js";

/** The GPU numbers the models read. */
export type GpuPeaks = Pick<GpuSpec, "bf16Tflops" | "fp8Tflops" | "hbmTBps" | "smCount" | "nvlinkGBps" | "pcieGBps" | "boostClockMhz">;

/** SM clock the fitted serial-latency terms refer to: A100 SXM's 1,410 MHz (latencyScale = 1 there). */
export const REF_CLOCK_MHZ = 1410;

/**
 * Host-side floor of one kernel launch, us, the same on every GPU: the smallest kernels measured take
 * 2.4-2.5 us on both A100 and H100 (a 1x32x32 GEMM), whatever the clock or memory; what a launch
 * takes beyond it (prologue, tail, DRAM latency) is fitted and scaled by `latencyScale`. 1.5 us is
 * where the leave-one-GPU-out fits A100 -> H100 and back both do best (1.2-1.6 us tried, see
 * docs/fidelity.md); it is a property of the host and driver, not of either GPU.
 */
export const LAUNCH_FLOOR_US = 1.5;
/** Kernel launches of one attention call (FlashInfer/FlashAttention: plan or split kernel + merge). */
export const ATTENTION_LAUNCHES = 2;

/**
 * Scale of on-GPU latencies (launch prologue, a GEMM's k-loop iterations, attention's per-sequence
 * work) relative to an A100: the inverse SM clock, never HBM bandwidth. Measured small-kernel
 * latencies on H200 equal H100's (same clock, 1.43x the bandwidth); H100's smallest GEMMs above the
 * launch floor take about 0.7x A100's (clock ratio 1410 / 1980 = 0.71).
 */
export function latencyScale(gpu: GpuPeaks): number {
  return REF_CLOCK_MHZ / (gpu.boostClockMhz ?? REF_CLOCK_MHZ);
}

/**
 * Nominal rate (bytes/s) at which a GPU's SMs can dequantize an fp8 KV cache: 16 bytes per SM per
 * clock, a scale only (the fitted `memEff` of fp8-KV decode attention absorbs the true rate). fp8-KV
 * decode attention is bound by this, not by HBM: on H100 it reads half the bytes of bf16 but takes
 * 0.59x its time on the largest calls, so a GPU with more bandwidth and the same SMs and clock
 * (H200) runs it no faster.
 */
export function dequantBytesPerSec(gpu: GpuPeaks): number {
  return gpu.smCount * (gpu.boostClockMhz ?? REF_CLOCK_MHZ) * 1e6 * 16;
}

/**
 * How one GEMM runs: peak used, bytes per activation / weight element, and the bytes per activation
 * element of a separate quantization kernel (0 = none).
 * - bf16: bf16 tensor cores, 2-byte activations and weights.
 * - fp8 (per-tensor scale) / fp8_block (128x128 block scales, SGLang's kernel for Qwen3-FP8 and
 *   DeepSeek-V3 checkpoints): fp8 tensor cores; activations are quantized by a separate kernel that
 *   reads bf16 and writes fp8 (per-tensor also makes an amax pass: 5 bytes/element; block: 3).
 * - wo8 / wo4: weight-only (fp8 on GPUs without fp8 tensor cores, e.g. A100 Marlin; int4 AWQ/GPTQ):
 *   bf16 compute, 1 or ~0.52 bytes per weight, dequantization fused into the GEMM.
 */
export type GemmVariantKind = "bf16" | "fp8" | "fp8_block" | "wo8" | "wo4";

export interface GemmVariant {
  peakTflops: number;
  aBytes: number;
  wBytes: number;
  qBytes: number;
}

export function gemmVariant(gpu: GpuPeaks, kind: GemmVariantKind): GemmVariant {
  switch (kind) {
    case "bf16":
      return { peakTflops: gpu.bf16Tflops, aBytes: 2, wBytes: 2, qBytes: 0 };
    case "fp8":
      return { peakTflops: gpu.fp8Tflops ?? gpu.bf16Tflops, aBytes: 1, wBytes: 1, qBytes: 5 };
    case "fp8_block":
      return { peakTflops: gpu.fp8Tflops ?? gpu.bf16Tflops, aBytes: 1, wBytes: 1, qBytes: 3 };
    case "wo8":
      return { peakTflops: gpu.bf16Tflops, aBytes: 2, wBytes: 1, qBytes: 0 };
    case "wo4":
      return { peakTflops: gpu.bf16Tflops, aBytes: 2, wBytes: 0.5 + 2 / 128, qBytes: 0 };
  }
}

/** Output tile of the GEMM kernels (rows x cols) used for wave quantization. */
const TILE_M = 128;
const TILE_N = 128;
/** Tensor-core instructions work on 64-row slabs: m is padded to this for the compute term. */
const M_PAD = 64;

/** FLOPs and bytes of one GEMM (for reports): 2mnk and A + W + C traffic. */
export function gemmFlopsBytes(v: GemmVariant, m: number, n: number, k: number): { flops: number; bytes: number } {
  return { flops: 2 * m * n * k, bytes: m * k * v.aBytes + k * n * v.wBytes + m * n * 2 };
}

/** Modeled GEMM latency in ms. `m` may be fractional (expected tokens per MoE expert). */
export function gemmModelMs(p: GemmParams, gpu: GpuPeaks, v: GemmVariant, m: number, n: number, k: number): number {
  const u = latencyScale(gpu);
  const sm = gpu.smCount;
  const tiles = Math.ceil(m / TILE_M) * Math.ceil(n / TILE_N);
  const waves = Math.ceil(tiles / sm);
  const waveEff = Math.pow(tiles / (waves * sm), p.waveAlpha);
  const kEff = k / (k + p.kHalf);
  const ec = p.computeEff * waveEff * kEff;
  const mPad = Math.ceil(m / M_PAD) * M_PAD;
  const tc = (2 * mPad * n * k) / (v.peakTflops * 1e12 * ec) * 1e3;
  const bytes = m * k * v.aBytes + k * n * v.wBytes + m * n * 2;
  const tm = bytes / (gpu.hbmTBps * 1e12 * p.memEff) * 1e3;
  const splits = Math.max(1, Math.min(sm / tiles, k / p.splitKMin));
  const ts = (u * p.perKNs * 1e-6 * k) / splits;
  const q = p.smoothP;
  const body = Math.pow(Math.pow(tc, q) + Math.pow(tm, q) + Math.pow(ts, q), 1 / q);
  const quant = v.qBytes > 0 ? (LAUNCH_FLOOR_US + u * p.quantLaunchUs) / 1e3 + (m * k * v.qBytes) / (gpu.hbmTBps * 1e12 * p.quantMemEff) * 1e3 : 0;
  return (LAUNCH_FLOOR_US + u * p.launchUs) / 1e3 + body + quant;
}

/** What an attention kernel call does, summed over its sequences. */
export interface AttentionWork {
  /** Sequences in the call. */
  batch: number;
  /** KV heads per GPU (1 for MLA's shared latent). */
  kvHeads: number;
  flops: number;
  bytes: number;
  /** Prefill: (query head, 128-row query tile) work units, heads * sum ceil(s/128); 0 for decode. */
  qTiles: number;
}

/** Rows of the query tile of prefill attention kernels (FlashAttention / FlashInfer). */
export const ATTN_Q_TILE = 128;

/**
 * Prefill (context) attention of `batch` sequences, each with `s` new tokens over `p` cached ones,
 * causal. FLOPs: 2*heads*(dqk+dv)*(s*p + s^2/2) per sequence (the HiSim F = s(2p+s)/2 per head-dim
 * unit); bytes: Q and O once, K and V of all s+p tokens.
 */
export function contextWork(
  batch: number, s: number, p: number, heads: number, kvHeads: number, dqk: number, dv: number, kvBytes: number,
): AttentionWork {
  const flops = batch * 2 * heads * (dqk + dv) * (s * p + (s * s) / 2);
  const bytes = batch * (s * heads * dqk * 2 + (s + p) * kvHeads * (dqk + dv) * kvBytes + s * heads * dv * 2);
  return { batch, kvHeads, flops, bytes, qTiles: batch * heads * Math.ceil(s / ATTN_Q_TILE) };
}

/**
 * Decode (generation) attention: `batch` sequences attending over `tokensSum` KV tokens in total
 * (each sequence's cached length + 1). Memory-bound on reading K and V.
 */
export function generationWork(
  batch: number, tokensSum: number, heads: number, kvHeads: number, dk: number, dv: number, kvBytes: number,
): AttentionWork {
  const flops = 2 * tokensSum * heads * (dk + dv);
  const bytes = tokensSum * kvHeads * (dk + dv) * kvBytes + batch * heads * (dk + dv) * 2;
  return { batch, kvHeads, flops, bytes, qTiles: 0 };
}

/** Modeled attention latency in ms for a call doing `w` at `peakTflops`. */
export function attentionModelMs(p: AttentionParams, gpu: GpuPeaks, w: AttentionWork, peakTflops: number): number {
  const u = latencyScale(gpu);
  const fixed = (ATTENTION_LAUNCHES * LAUNCH_FLOOR_US + u * (p.launchUs + p.perSeqHeadUs * w.batch * w.kvHeads)) / 1e3;
  const par = (w.batch * w.kvHeads) / gpu.smCount;
  const em = p.memEff * (par / (par + p.parHalf));
  let ec = p.computeEff;
  if (p.waveAlpha > 0 && w.qTiles > 0) {
    const waves = Math.ceil(w.qTiles / gpu.smCount);
    ec *= Math.pow(w.qTiles / (waves * gpu.smCount), p.waveAlpha);
  }
  const tc = w.flops / (peakTflops * 1e12 * ec) * 1e3;
  const bw = p.dequantBound ? dequantBytesPerSec(gpu) : gpu.hbmTBps * 1e12;
  const tm = w.bytes / (bw * em) * 1e3;
  const q = p.smoothP;
  return fixed + Math.pow(Math.pow(tc, q) + Math.pow(tm, q), 1 / q);
}

/** A memory-bound elementwise kernel moving `bytes`, in ms. */
export function elementwiseModelMs(p: ElementwiseParams, gpu: GpuPeaks, bytes: number): number {
  return (LAUNCH_FLOOR_US + latencyScale(gpu) * p.launchUs) / 1e3 + bytes / (gpu.hbmTBps * 1e12 * p.memEff) * 1e3;
}

/** Per-direction GPU-to-GPU bandwidth in GB/s: half the bidirectional NVLink figure, else PCIe. */
export function linkGBps(gpu: GpuPeaks): number {
  return gpu.nvlinkGBps ? gpu.nvlinkGBps / 2 : gpu.pcieGBps;
}

/** All-reduce of `bytes` over `n` GPUs in ms; `graph` = captured in a CUDA graph (decode). */
export function allreduceModelMs(p: AllreduceParams, gpu: GpuPeaks, n: number, bytes: number, graph: boolean): number {
  if (n <= 1) return 0;
  const launch = (graph ? p.graphLaunchUs : p.eagerLaunchUs) / 1e3;
  return launch + ((2 * (n - 1)) / n) * bytes / (linkGBps(gpu) * 1e9 * p.busEff) * 1e3;
}

/** All-gather of `bytes` (the full result) over `n` GPUs in ms: each GPU receives (n-1)/n of it. */
export function allgatherModelMs(p: AllreduceParams, gpu: GpuPeaks, n: number, bytes: number, graph: boolean): number {
  if (n <= 1) return 0;
  const launch = (graph ? p.graphLaunchUs : p.eagerLaunchUs) / 1e3;
  return launch + ((n - 1) / n) * bytes / (linkGBps(gpu) * 1e9 * p.busEff) * 1e3;
}
