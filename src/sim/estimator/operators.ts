/**
 * The operator plan of one forward step of a model on one GPU of a TP group (SGLang layout):
 * per layer input norm (fused residual add), QKV (or MLA projections), rope, KV-cache write,
 * attention, O projection, TP all-reduce, post-attention norm, MLP (gate_up, SiLU-and-mul, down) or
 * MoE (router gate, top-k, grouped expert GEMMs, shared experts), TP all-reduce; once per step the
 * embedding (+ all-reduce under TP), final norm, LM head, logits all-gather and sampling.
 *
 * Token-driven operators depend on one token count only (all tokens, logit rows, decode tokens, or
 * MLA's latent rows to decompress), which is what lets the estimator memoize them by that count.
 */
import type { KvDtype, ModelSpec, WeightDtype } from "../../config/types.js";
import { kvHeadsPerRank } from "../model/memory.js";
import type { ElementwiseOp } from "./kernel-profiles.js";
import type { KernelModel } from "./kernel-model.js";
import { gemmFlopsBytes, type GemmVariantKind } from "./roofline.js";

export type OpClass = "gemm" | "attention" | "comm" | "other";

/**
 * Which token count an operator scales with: every token of the step; rows that need logits (one
 * per decode request and one per prefill entry); decode tokens only (MLA's absorbed projections);
 * latent rows MLA decompresses for prefill (new + cached prefix tokens of prefill entries).
 */
export const Driver = { Tokens: 0, Logits: 1, DecodeTokens: 2, PrefillKv: 3 } as const;
export type Driver = (typeof Driver)[keyof typeof Driver];
export const DRIVER_COUNT = 4;

export interface TokenOp {
  name: string;
  cls: OpClass;
  /** How many times per step (layers it appears in; 1 for once-per-step ops). */
  count: number;
  driver: Driver;
  /** Milliseconds of one occurrence for `m` tokens; `graph` = decode step under a CUDA graph. */
  ms: (m: number, graph: boolean) => number;
  /** FLOPs and bytes of one occurrence (for reports). */
  work: (m: number) => { flops: number; bytes: number };
}

/** Attention geometry per GPU. */
export interface AttentionGeometry {
  mla: boolean;
  /** Query heads per GPU. */
  heads: number;
  /** KV heads per GPU (1 for MLA's latent). */
  kvHeads: number;
  /** Q.K and V head dims of the prefill (context) kernel. */
  prefillQkDim: number;
  prefillVDim: number;
  /** KV heads seen by the prefill kernel (MLA prefill runs as MHA on decompressed K/V). */
  prefillKvHeads: number;
  /** Bytes per cached token per layer read by decode attention. */
  decodeBytesPerToken: number;
  /** FLOPs per cached token per query head in decode attention. */
  decodeFlopsPerTokenHead: number;
  /** Head dim used for table lookups (GQA) */
  headDim: number;
  kvBytes: number;
}

export interface OperatorPlan {
  layers: number;
  ops: TokenOp[];
  attention: AttentionGeometry;
  /** GEMM kernel class of the quantized linear layers. */
  linearKind: GemmVariantKind;
}

/**
 * The fp8 GEMM kind of a model's official fp8 checkpoint, when the checkpoint itself is not named:
 * Qwen3-FP8 and DeepSeek-V3 are 128x128 block-scaled (block-wise fp8 kernel); Llama FP8 checkpoints
 * (NVIDIA ModelOpt, Red Hat) use per-tensor scales. A named checkpoint or a measured row's
 * gemm_quant_mode overrides it (`PlanOptions.fp8Gemm`).
 */
export function fp8GemmKind(model: ModelSpec): "fp8" | "fp8_block" {
  const id = model.id.toLowerCase();
  const aliases = model.aliases.map((a) => a.toLowerCase());
  const blockFamily = [id, ...aliases].some((s) => s.includes("qwen3") || s.includes("deepseek"));
  return model.nativeWeights === "fp8" || blockFamily ? "fp8_block" : "fp8";
}

export function linearGemmKind(model: ModelSpec, weights: WeightDtype, fp8Gemm?: "fp8" | "fp8_block"): GemmVariantKind {
  if (weights === "fp8") return fp8Gemm ?? fp8GemmKind(model);
  if (weights === "int4") return "wo4";
  return "bf16";
}

/** Expected distinct experts hit by `tokens` tokens each choosing `k` of `experts` uniformly. */
export function expectedActiveExperts(experts: number, k: number, tokens: number): number {
  if (tokens <= 0) return 0;
  return experts * (1 - Math.pow(1 - k / experts, tokens));
}

/** Engine-specific kernel choices that change an operator's cost. */
export interface PlanOptions {
  /**
   * The fp8 per-tensor GEMM has no power-of-two m steps (vLLM's CUTLASS kernel; see
   * `KernelModel.gemmMsSmoothM`). Default false: the tables' own (SGLang) kernels.
   */
  smoothFp8M?: boolean;
  /** The checkpoint's fp8 GEMM kind (per-tensor or block); default: the model family's official checkpoint. */
  fp8Gemm?: "fp8" | "fp8_block";
}

/** Builds the operator plan. Shapes are per GPU of the TP group. */
export function buildOperatorPlan(
  model: ModelSpec, tp: number, weights: WeightDtype, kvDtype: KvDtype, km: KernelModel, plan: PlanOptions = {},
): OperatorPlan {
  const h = model.hiddenSize;
  const layers = model.numLayers;
  const heads = model.numAttentionHeads / tp;
  const kvR = kvHeadsPerRank(model, tp);
  const d = model.headDim;
  const kvB = kvDtype === "fp8" ? 1 : 2;
  const lin = linearGemmKind(model, weights, plan.fp8Gemm);
  const ops: TokenOp[] = [];

  const gemm = (name: string, count: number, driver: Driver, kind: GemmVariantKind, n: number, k: number) => {
    if (count <= 0) return;
    ops.push({
      name, cls: "gemm", count, driver,
      ms: plan.smoothFp8M && kind === "fp8"
        ? (m) => (m > 0 ? km.gemmMsSmoothM(kind, m, n, k) : 0)
        : (m) => (m > 0 ? km.gemmMs(kind, m, n, k) : 0),
      work: (m) => gemmFlopsBytes(km.variant(kind), m, n, k),
    });
  };
  const elementwise = (name: string, count: number, driver: Driver, op: ElementwiseOp, bytesPerToken: number) => {
    if (count <= 0) return;
    ops.push({
      name, cls: "other", count, driver,
      ms: (m) => (m > 0 ? km.elementwiseMs(op, m * bytesPerToken) : 0),
      work: (m) => ({ flops: 0, bytes: m * bytesPerToken }),
    });
  };
  const allreduce = (name: string, count: number, driver: Driver, elemsPerToken: number) => {
    if (count <= 0 || tp <= 1) return;
    ops.push({
      name, cls: "comm", count, driver,
      ms: (m, graph) => (m > 0 ? km.allreduceMs(tp, m * elemsPerToken, graph) : 0),
      work: (m) => ({ flops: 0, bytes: m * elemsPerToken * 2 }),
    });
  };

  // Once per step, first.
  elementwise("embedding", 1, Driver.Tokens, "emb", 2 * h * 2);
  allreduce("embedding all-reduce", 1, Driver.Tokens, h); // vocab-parallel embedding under TP

  // Attention block.
  elementwise("input norm (fused add)", layers, Driver.Tokens, "norm", 4 * h * 2);
  let attention: AttentionGeometry;
  if (model.mla) {
    const m = model.mla;
    const qk = m.qkNopeHeadDim + m.qkRopeHeadDim;
    const latent = m.kvLoraRank + m.qkRopeHeadDim;
    if (m.qLoraRank > 0) {
      gemm("q_a + kv_a proj (replicated)", layers, Driver.Tokens, lin, m.qLoraRank + latent, h);
      elementwise("q_a / kv_a norms", layers, Driver.Tokens, "norm", 2 * (m.qLoraRank + m.kvLoraRank) * 2);
      gemm("q_b proj", layers, Driver.Tokens, lin, heads * qk, m.qLoraRank);
    } else {
      gemm("kv_a proj (replicated)", layers, Driver.Tokens, lin, latent, h);
      elementwise("kv_a norm", layers, Driver.Tokens, "norm", 2 * m.kvLoraRank * 2);
      gemm("q proj", layers, Driver.Tokens, lin, heads * qk, h);
    }
    elementwise("rope", layers, Driver.Tokens, "rope", (heads + 1) * m.qkRopeHeadDim * 2 * 2);
    elementwise("kv-cache write", layers, Driver.Tokens, "add", latent * (2 + kvB));
    // Decode runs absorbed (MQA over the latent): q_nope x W_UK and attn x W_UV per head, bf16 bmm.
    gemm("q absorb (W_UK bmm)", layers, Driver.DecodeTokens, "bf16", heads * m.kvLoraRank, m.qkNopeHeadDim);
    gemm("v absorb (W_UV bmm)", layers, Driver.DecodeTokens, "bf16", heads * m.vHeadDim, m.kvLoraRank);
    // Prefill runs as MHA: decompress K/V of every new and cached token of prefill entries.
    gemm("kv_b proj (prefill)", layers, Driver.PrefillKv, lin, heads * (m.qkNopeHeadDim + m.vHeadDim), m.kvLoraRank);
    gemm("o proj", layers, Driver.Tokens, lin, h, heads * m.vHeadDim);
    attention = {
      mla: true, heads, kvHeads: 1, prefillQkDim: qk, prefillVDim: m.vHeadDim, prefillKvHeads: heads,
      decodeBytesPerToken: latent * kvB, decodeFlopsPerTokenHead: 2 * (latent + m.kvLoraRank), headDim: qk, kvBytes: kvB,
    };
  } else {
    gemm("qkv proj", layers, Driver.Tokens, lin, (heads + 2 * kvR) * d, h);
    elementwise("rope", layers, Driver.Tokens, "rope", (heads + kvR) * d * 2 * 2);
    elementwise("kv-cache write", layers, Driver.Tokens, "add", 2 * kvR * d * (2 + kvB));
    gemm("o proj", layers, Driver.Tokens, lin, h, heads * d);
    attention = {
      mla: false, heads, kvHeads: kvR, prefillQkDim: d, prefillVDim: d, prefillKvHeads: kvR,
      decodeBytesPerToken: 2 * kvR * d * kvB, decodeFlopsPerTokenHead: 4 * d, headDim: d, kvBytes: kvB,
    };
  }
  allreduce("attention all-reduce", layers, Driver.Tokens, h);
  elementwise("post-attention norm (fused add)", layers, Driver.Tokens, "norm", 4 * h * 2);

  // Feed-forward block.
  const moe = model.moe;
  const denseLayers = moe ? Math.min(layers, moe.firstDenseLayers) : layers;
  const moeLayers = layers - denseLayers;
  const inter = model.intermediateSize / tp;
  gemm("gate_up proj", denseLayers, Driver.Tokens, lin, 2 * inter, h);
  elementwise("silu and mul", denseLayers, Driver.Tokens, "act", 6 * inter);
  gemm("down proj", denseLayers, Driver.Tokens, lin, h, inter);
  if (moe && moeLayers > 0) {
    const e = moe.numExperts;
    const topk = moe.expertsPerToken;
    const ie = moe.expertIntermediateSize / tp;
    gemm("router gate (bf16)", moeLayers, Driver.Tokens, "bf16", e, h);
    // top-k softmax, token sort/align: read fp32 router logits, write ids, weights and the permutation.
    elementwise("top-k + align", moeLayers, Driver.Tokens, "add", e * 4 + topk * 16);
    // Fused MoE: one grouped kernel over the active experts, each with its share of routed tokens.
    // Its experts run side by side on the SMs, so it is costed as one GEMM whose n concatenates the
    // active experts: FLOPs, weight bytes and output tiles add up; launch and the k-loop latency are
    // paid once. Activations are read once per routed token (added to the report's bytes).
    const grouped = (name: string, n: number, k: number) => {
      ops.push({
        name, cls: "gemm", count: moeLayers, driver: Driver.Tokens,
        ms: (m) => {
          if (m <= 0) return 0;
          const active = expectedActiveExperts(e, topk, m);
          return km.gemmMs(lin, (m * topk) / active, n * active, k);
        },
        work: (m) => {
          const active = expectedActiveExperts(e, topk, m);
          const v = km.variant(lin);
          return { flops: 2 * m * topk * n * k, bytes: active * k * n * v.wBytes + m * topk * (k * v.aBytes + n * 2) };
        },
      });
    };
    grouped(`experts gate_up (${topk} of ${e}, grouped)`, 2 * ie, h);
    elementwise("experts silu and mul", moeLayers, Driver.Tokens, "act", 6 * ie * topk);
    grouped(`experts down (${topk} of ${e}, grouped)`, h, ie);
    if (moe.numSharedExperts > 0) {
      const is = (moe.numSharedExperts * (moe.sharedExpertIntermediateSize || moe.expertIntermediateSize)) / tp;
      gemm("shared expert gate_up", moeLayers, Driver.Tokens, lin, 2 * is, h);
      elementwise("shared expert silu and mul", moeLayers, Driver.Tokens, "act", 6 * is);
      gemm("shared expert down", moeLayers, Driver.Tokens, lin, h, is);
    }
  }
  allreduce("mlp all-reduce", layers, Driver.Tokens, h);

  // Once per step, last.
  elementwise("final norm", 1, Driver.Tokens, "norm", 4 * h * 2);
  const vocab = model.vocabSize / tp;
  gemm("lm head (bf16)", 1, Driver.Logits, "bf16", vocab, h);
  if (tp > 1) {
    ops.push({
      name: "logits all-gather", cls: "comm", count: 1, driver: Driver.Logits,
      ms: (m, graph) => (m > 0 ? km.allgatherMs(tp, m * model.vocabSize * 2, graph) : 0),
      work: (m) => ({ flops: 0, bytes: m * model.vocabSize * 2 }),
    });
  }
  // Sampling: fp32 softmax / top-p over the full vocabulary (read logits, write and re-read probs).
  elementwise("sampling", 1, Driver.Logits, "act", model.vocabSize * 4 * 3);

  return { layers, ops, attention, linearKind: lin };
}
