/**
 * Plain-data shapes of measured kernel tables and fitted roofline parameters. The edge
 * (`src/catalog/profiles.ts`, `src/io/kernel-csv.ts`) reads them; the pure estimator consumes them.
 */

/** One GEMM measurement: `m` tokens x `k` input features -> `n` output features. */
export interface GemmRow {
  /** AIC dtype name: bfloat16 | fp8 | fp8_block (others are parsed but not modeled). */
  dtype: string;
  m: number;
  n: number;
  k: number;
  latencyMs: number;
  /** 1-based line in the source file (for messages). */
  line: number;
}

/**
 * One attention measurement. Head counts are per GPU. Context (prefill): `batch` sequences of `isl`
 * new tokens each over `step` cached tokens. Generation (decode): `isl` = 1, `step` cached tokens.
 */
export interface AttentionRow {
  batch: number;
  isl: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  attnDtype: string;
  kvDtype: string;
  step: number;
  latencyMs: number;
  line: number;
}

/** One all-reduce measurement; `backend` is sglang_graph (CUDA graph) or sglang_eager. */
export interface AllreduceRow {
  dtype: string;
  numGpus: number;
  /** Message size in elements (bf16). */
  messageElems: number;
  latencyMs: number;
  backend: string;
  line: number;
}

/** One NCCL collective measurement (nccl-tests convention: all_gather's size is the gathered result). */
export interface NcclRow {
  /** all_gather | all_reduce | reduce_scatter | alltoall */
  op: string;
  dtype: string;
  numGpus: number;
  /** Message size in elements. */
  messageElems: number;
  latencyMs: number;
  line: number;
}

export type KernelTable =
  | { kind: "gemm"; rows: GemmRow[] }
  | { kind: "nccl"; rows: NcclRow[] }
  | { kind: "context"; rows: AttentionRow[] }
  | { kind: "generation"; rows: AttentionRow[] }
  | { kind: "allreduce"; rows: AllreduceRow[] };

/** The bundled (compacted) measured tables of one GPU. */
export interface KernelProfiles {
  /** The GPU the tables were measured on. */
  gpuId: string;
  /**
   * That GPU's peaks, when the tables are lent to another GPU (same architecture for compute
   * tables; nearest NVLink GPU for communication tables): the lookup reads the measured
   * utilization there and applies it to the borrower's peaks.
   */
  measuredOn?: GpuPeaksWithId;
  gemm: GemmRow[];
  context: AttentionRow[];
  generation: AttentionRow[];
  allreduce: AllreduceRow[];
  /** NCCL collectives (all_gather for the logits gather); may be empty. */
  nccl: NcclRow[];
}

/** The GPU numbers a lent table needs (a GpuSpec satisfies it). */
export interface GpuPeaksWithId {
  id: string;
  architecture?: string;
  bf16Tflops: number;
  fp8Tflops: number | null;
  hbmTBps: number;
  smCount: number;
  nvlinkGBps: number | null;
  pcieGBps: number;
  boostClockMhz?: number;
}

/** GEMM kernel classes the roofline distinguishes. */
export type GemmKind = "bf16" | "fp8" | "fp8_block";

/**
 * GEMM time model (ms):
 *   L + u*launchUs + ((F/(P*ec))^p + (B/(W*em))^p + (u*perKNs*k/splits)^p)^(1/p) + quant
 * with ec = computeEff * waveEff^waveAlpha * k/(k+kHalf), F computed on m padded to 64 rows,
 * quant = L + u*quantLaunchUs + m*k*qBytes/(W*quantMemEff) for fp8 activations, L the launch floor
 * (`LAUNCH_FLOOR_US`, the same on every GPU) and u the GPU's
 * latency scale (the inverse SM clock, relative to A100's). See `roofline.ts`.
 */
export interface GemmParams {
  launchUs: number;
  computeEff: number;
  memEff: number;
  smoothP: number;
  kHalf: number;
  waveAlpha: number;
  perKNs: number;
  splitKMin: number;
  quantLaunchUs: number;
  quantMemEff: number;
}

/**
 * Attention time model (ms): 2L + u*(launchUs + perSeqHeadUs*batch*kvHeads) + ((F/(P*ec))^p + (B/(W*em))^p)^(1/p),
 * with em scaled by parallelism (units/(units+parHalf), units = batch*kvHeads/SMs) and, for prefill,
 * ec scaled by the wave quantization of its 128-query-row tiles over the SMs (^waveAlpha; 0 = off).
 */
export interface AttentionParams {
  launchUs: number;
  perSeqHeadUs: number;
  computeEff: number;
  memEff: number;
  smoothP: number;
  parHalf: number;
  waveAlpha: number;
  /** The byte term runs at the SMs' dequantization rate (`dequantBytesPerSec`), not HBM (fp8-KV decode). */
  dequantBound?: boolean;
}

/** Memory-bound elementwise op: L + u*launchUs + bytes/(W*memEff). */
export interface ElementwiseParams {
  launchUs: number;
  memEff: number;
}

/** Ring all-reduce: launch + 2(n-1)/n * bytes / (link GB/s * busEff). */
export interface AllreduceParams {
  graphLaunchUs: number;
  eagerLaunchUs: number;
  busEff: number;
}

export type ElementwiseOp = "norm" | "rope" | "act" | "add" | "emb";

/** Error of a fit on its own training rows (fractions). */
export interface FitStat {
  rows: number;
  mape: number;
}

/** Everything fitted on one training set of GPUs. Missing dtype entries fall back to bf16. */
export interface RooflineFit {
  trainedOn: string[];
  gemm: Partial<Record<GemmKind, GemmParams>> & { bf16: GemmParams };
  /** Keyed by `${attnDtype}/${kvDtype}` with AIC dtype names, e.g. "bfloat16/fp8". */
  context: Record<string, AttentionParams>;
  generation: Record<string, AttentionParams>;
  elementwise: Record<ElementwiseOp, ElementwiseParams>;
  allreduce: AllreduceParams;
  stats?: Record<string, FitStat>;
}

/** Fits keyed by training set: a GPU id, or several joined with "+" in sorted order. */
export interface RooflineFitSet {
  source: string;
  /** GPUs with bundled tables (the union of every training set). */
  profiledGpus: string[];
  fits: Record<string, RooflineFit>;
}

/** The fit to use for the roofline on `gpuId`: never one trained on that GPU (leave-one-GPU-out). */
export function rooflineFitKey(set: RooflineFitSet, gpuId: string): string {
  const others = set.profiledGpus.filter((g) => g !== gpuId).sort();
  return others.join("+");
}

/** The fit trained on `gpuId` alone: the interpolation base for that GPU's own tables. */
export function selfFitKey(gpuId: string): string {
  return gpuId;
}
