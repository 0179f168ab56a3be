/**
 * Memory model of one replica: weight bytes per GPU, KV bytes per token, and the GPU KV pool (L1).
 * Layouts follow SGLang: `python/sglang/srt/model_executor/model_runner.py` (`profile_max_num_token`:
 * the KV pool is what `mem_fraction_static` leaves after the weights) and the KV pools of
 * `mem_cache/memory_pool.py` (`MHATokenToKVPool`: K and V per KV head on each TP rank, heads
 * replicated when tp exceeds them; `MLATokenToKVPool`: one latent per token on every rank).
 */
import type { GpuSpec, KvDtype, ModelSpec, WeightDtype } from "../../config/types.js";
import { kvBytesPerElement, weightBytesPerElement } from "./dtype.js";

export const GIB = 2 ** 30;

/** Per-GPU parameter counts split by what quantization applies to. */
export interface ParamCounts {
  /** Linear layers inside transformer blocks (quantized with the weight dtype). */
  quantizable: number;
  /** Embedding, LM head, norms, MoE router: kept in bf16 by every engine. */
  bf16: number;
}

/** KV heads held by each TP rank: replicated when tp exceeds the KV head count. */
export function kvHeadsPerRank(model: ModelSpec, tp: number): number {
  return Math.max(1, Math.floor(model.numKeyValueHeads / tp));
}

/** Attention parameters of one layer on one GPU. */
function attentionParamsPerRank(model: ModelSpec, tp: number): { quantizable: number; bf16: number } {
  const h = model.hiddenSize;
  if (model.mla) {
    const m = model.mla;
    const heads = model.numAttentionHeads / tp;
    const qk = m.qkNopeHeadDim + m.qkRopeHeadDim;
    // q_a and kv_a projections are replicated on every rank (ReplicatedLinear in SGLang).
    const qA = m.qLoraRank > 0 ? h * m.qLoraRank : 0;
    const qB = m.qLoraRank > 0 ? m.qLoraRank * heads * qk : h * heads * qk;
    const kvA = h * (m.kvLoraRank + m.qkRopeHeadDim);
    const kvB = m.kvLoraRank * heads * (m.qkNopeHeadDim + m.vHeadDim);
    const o = heads * m.vHeadDim * h;
    return { quantizable: qA + qB + kvA + kvB + o, bf16: m.qLoraRank + m.kvLoraRank };
  }
  const d = model.headDim;
  const q = h * (model.numAttentionHeads / tp) * d;
  const kv = 2 * h * kvHeadsPerRank(model, tp) * d;
  const o = (model.numAttentionHeads / tp) * d * h;
  return { quantizable: q + kv + o, bf16: 0 };
}

/** Feed-forward parameters of one layer on one GPU (dense or MoE, TP-sharded experts). */
function ffnParamsPerRank(model: ModelSpec, layer: number, tp: number): { quantizable: number; bf16: number } {
  const h = model.hiddenSize;
  const moe = model.moe;
  if (!moe || layer < moe.firstDenseLayers) {
    return { quantizable: (3 * h * model.intermediateSize) / tp, bf16: 0 };
  }
  const experts = (moe.numExperts * 3 * h * moe.expertIntermediateSize) / tp;
  const sharedWidth = moe.sharedExpertIntermediateSize || moe.expertIntermediateSize;
  const shared = (moe.numSharedExperts * 3 * h * sharedWidth) / tp;
  return { quantizable: experts + shared, bf16: h * moe.numExperts };
}

/** Parameter counts held by one GPU of a TP group. */
export function paramCountsPerGpu(model: ModelSpec, tp: number): ParamCounts {
  const h = model.hiddenSize;
  let quantizable = 0;
  let bf16 = 0;
  const attn = attentionParamsPerRank(model, tp);
  for (let layer = 0; layer < model.numLayers; layer++) {
    const ffn = ffnParamsPerRank(model, layer, tp);
    quantizable += attn.quantizable + ffn.quantizable;
    bf16 += attn.bf16 + ffn.bf16 + 2 * h; // two RMSNorms
  }
  const embedding = (model.vocabSize * h) / tp; // vocab-parallel
  bf16 += embedding + (model.tieWordEmbeddings ? 0 : embedding) + h;
  return { quantizable, bf16 };
}

/** Weight bytes resident on one GPU of a TP group. */
export function weightBytesPerGpu(model: ModelSpec, weights: WeightDtype, tp: number): number {
  const p = paramCountsPerGpu(model, tp);
  return p.quantizable * weightBytesPerElement(weights) + p.bf16 * 2;
}

/** Total parameters of the model (all GPUs, one copy), for display. */
export function totalParams(model: ModelSpec): number {
  const p = paramCountsPerGpu(model, 1);
  return p.quantizable + p.bf16;
}

/**
 * KV-cache bytes per token on one GPU: `2 * layers * max(1, kvHeads/tp) * headDim * bytes` for
 * MHA/GQA; `(kvLoraRank + ropeDim) * layers * bytes` for MLA, which every rank holds whole.
 */
export function kvBytesPerTokenPerGpu(model: ModelSpec, kvDtype: KvDtype, tp: number): number {
  const b = kvBytesPerElement(kvDtype);
  if (model.mla) return (model.mla.kvLoraRank + model.mla.qkRopeHeadDim) * model.numLayers * b;
  return 2 * model.numLayers * kvHeadsPerRank(model, tp) * model.headDim * b;
}

/** KV bytes per token summed over the TP group: what a token costs in host/storage tiers. */
export function kvBytesPerTokenPerReplica(model: ModelSpec, kvDtype: KvDtype, tp: number): number {
  // MLA's latent is identical on every rank; only one copy is written to L2/L3 (SGLang writes from rank 0).
  if (model.mla) return kvBytesPerTokenPerGpu(model, kvDtype, tp);
  return kvBytesPerTokenPerGpu(model, kvDtype, tp) * tp;
}

/**
 * SGLang's default mem_fraction_static: (gpu_mem - reserved) / gpu_mem with
 * reserved = 9.5 + tp/2 GB below 90 GB of HBM, 12 + tp/2 GB below 160 GB, else 16 + tp/2 GB.
 * vLLM's gpu_memory_utilization default is 0.9.
 */
export function defaultMemFraction(gpu: GpuSpec, tp: number, engine: "sglang" | "vllm"): number {
  if (engine === "vllm") return 0.9;
  const base = gpu.hbmGb < 90 ? 9.5 : gpu.hbmGb < 160 ? 12 : 16;
  return Math.min(0.93, (gpu.hbmGb - (base + tp / 2)) / gpu.hbmGb);
}

/** Memory not available to SGLang's static pool even inside memFractionStatic (CUDA context, graphs). */
export const SGLANG_FIXED_OVERHEAD_GIB = 1.4;

export interface MemoryPlanInput {
  model: ModelSpec;
  gpu: GpuSpec;
  tp: number;
  weights: WeightDtype;
  kvDtype: KvDtype;
  engine: "sglang" | "vllm";
  memFractionStatic: number;
  /** Tokens of one forward pass (chunked prefill size); sizes vLLM's activation reservation. */
  maxBatchTokens: number;
  pageSize: number;
}

export type MemoryPlan =
  | {
      fits: true;
      weightBytesPerGpu: number;
      kvBytesPerTokenPerGpu: number;
      activationBytesPerGpu: number;
      /** Tokens the GPU KV pool (L1) holds, rounded down to whole pages. */
      kvPoolTokens: number;
      kvPoolBytesPerGpu: number;
    }
  | {
      fits: false;
      reason: string;
      weightBytesPerGpu: number;
      kvBytesPerTokenPerGpu: number;
      activationBytesPerGpu: number;
      kvPoolTokens: 0;
      kvPoolBytesPerGpu: 0;
    };

/** Peak activation bytes of one forward of `tokens` tokens on one GPU (vLLM's profiling run). */
export function activationBytesPerGpu(model: ModelSpec, tp: number, tokens: number): number {
  const ffn = model.moe ? model.moe.expertIntermediateSize * model.moe.expertsPerToken : model.intermediateSize;
  const perToken = (4 * model.hiddenSize + (2 * ffn) / tp) * 2;
  // Sampler logits for the batch plus CUDA graphs and allocator slack.
  return tokens * perToken + 0.5 * GIB;
}

/**
 * Plans one GPU's memory: weights, activations and the KV pool left by `memFractionStatic`.
 * SGLang: pool = frac * HBM - weights - fixed overhead (activations live outside the fraction).
 * vLLM: pool = util * HBM - weights - activations.
 */
export function planMemory(input: MemoryPlanInput): MemoryPlan {
  const { model, gpu, tp, weights, kvDtype, engine, memFractionStatic, maxBatchTokens, pageSize } = input;
  const w = weightBytesPerGpu(model, weights, tp);
  const kvTok = kvBytesPerTokenPerGpu(model, kvDtype, tp);
  const act = activationBytesPerGpu(model, tp, maxBatchTokens);
  const hbm = gpu.hbmGb * GIB;
  const pool =
    engine === "sglang"
      ? memFractionStatic * hbm - w - SGLANG_FIXED_OVERHEAD_GIB * GIB
      : memFractionStatic * hbm - w - act;
  const tokens = pool > 0 ? Math.floor(pool / kvTok / pageSize) * pageSize : 0;
  if (tokens < pageSize) {
    const need = (w + (engine === "vllm" ? act : SGLANG_FIXED_OVERHEAD_GIB * GIB)) / GIB;
    return {
      fits: false,
      reason:
        `${model.id} (${weights}) needs ${need.toFixed(1)} GiB per GPU at tp=${tp} before any KV cache, ` +
        `but ${gpu.id} offers ${(memFractionStatic * gpu.hbmGb).toFixed(1)} GiB at memFractionStatic=${memFractionStatic.toFixed(3)}`,
      weightBytesPerGpu: w,
      kvBytesPerTokenPerGpu: kvTok,
      activationBytesPerGpu: act,
      kvPoolTokens: 0,
      kvPoolBytesPerGpu: 0,
    };
  }
  return {
    fits: true,
    weightBytesPerGpu: w,
    kvBytesPerTokenPerGpu: kvTok,
    activationBytesPerGpu: act,
    kvPoolTokens: tokens,
    kvPoolBytesPerGpu: tokens * kvTok,
  };
}
