/**
 * The batch (single-step) latency estimator: the sum over the operator plan (`operators.ts`) of
 * per-kernel times from the kernel model (`kernel-model.ts`: measured tables or fitted roofline),
 * plus prefill and decode attention, plus the engine's exposed CPU overhead.
 *
 * Heterogeneous prefill batches: attention is costed on the batch's exact causal work
 * (sum over entries of s(s + 2p)/2, HiSim's F_actual) and the table residual is read at the uniform
 * batch of equal work (b entries of length sqrt(mean s(s+2p))), so a mix of long and short prompts is
 * not averaged into one shape as AIConfigurator does (its F_avg under-predicts quadratic work).
 *
 * `stepUs` is the simulator's hot path: token-driven operators are memoized by token count per
 * driver, attention residual factors by (batch, quantized length) at 1/32-octave resolution; the
 * FLOP/byte model parts are exact arithmetic. No allocation per call.
 */
import type { EngineKind, GpuSpec, KvDtype, ModelSpec, WeightDtype } from "../../config/types.js";
import { InputError } from "../../errors.js";
import type { CpuOverlap } from "../deployment/engine-release.js";
import { EAGER_LAUNCH_US, ENGINE_OVERHEAD, engineCpuUs, stepWithCpuUs, type EngineOverhead } from "./engine-overhead.js";
import { KernelModel, type AttentionHandle, type Backend, type OpSource } from "./kernel-model.js";
import type { KernelProfiles, RooflineFitSet } from "./kernel-profiles.js";
import { buildOperatorPlan, DRIVER_COUNT, Driver, type OpClass, type OperatorPlan, type TokenOp } from "./operators.js";
import { ATTN_Q_TILE, type AttentionWork } from "./roofline.js";
import type { BatchEntry, BatchSummary, StepBreakdown, StepEstimate, StepEstimator } from "./types.js";

export interface EstimatorOptions {
  model: ModelSpec;
  gpu: GpuSpec;
  tp: number;
  weights: WeightDtype;
  kvDtype: KvDtype;
  engine: EngineKind;
  backend?: Backend;
  /** Measured compute tables of `gpu`, or borrowed from a GPU of its architecture (`kernelTablesFor`); absent = roofline only. */
  profiles?: KernelProfiles;
  /** Measured communication tables (default `profiles`). */
  commProfiles?: KernelProfiles;
  /** Roofline fits (from `loadRooflineFits` in src/catalog/profiles.ts: the core reads no files). */
  fits: RooflineFitSet;
  /** Engine CPU costs override (default: ENGINE_OVERHEAD). */
  overhead?: EngineOverhead;
  /** The checkpoint's fp8 GEMM kind (default: the model family's official fp8 checkpoint). */
  fp8Gemm?: "fp8" | "fp8_block";
  /**
   * Largest decode batch (SGLang) or step in tokens (vLLM) captured as a CUDA graph; larger steps
   * launch every kernel from the CPU. Default: unlimited.
   */
  cudaGraphMaxBs?: number;
  /** vLLM 0.10.x: decode graphs are piecewise, each layer's attention launched eagerly. */
  piecewiseDecodeGraph?: boolean;
  /** How the engine's CPU work meets the GPU's (default: SGLang overlaps, vLLM is serial). */
  cpuOverlap?: CpuOverlap;
}

/** CPU launches of one layer's attention outside a graph (plan/split kernel, merge, and the next graph piece). */
const ATTENTION_EAGER_LAUNCHES = 3;

/** One row of a detailed estimate. */
export interface OpDetail {
  name: string;
  cls: OpClass;
  /** Occurrences per step (layers). */
  count: number;
  /** Tokens (or sequences, for attention) the op ran on. */
  tokens: number;
  /** Milliseconds of one occurrence and of all of them. */
  perOpMs: number;
  totalMs: number;
  /** FLOPs and bytes of all occurrences. */
  flops: number;
  bytes: number;
  source: OpSource;
}

export interface DetailedStepEstimate extends StepEstimate {
  ops: OpDetail[];
  /** Every token of the step; rows needing logits; decode requests; prefill entries. */
  tokens: number;
  logitRows: number;
  decodeCount: number;
  prefillCount: number;
  /** CUDA-graph (decode-only) step. */
  graph: boolean;
  overheadMs: number;
}

export interface BatchEstimator extends StepEstimator {
  readonly kernels: KernelModel;
  readonly plan: OperatorPlan;
  readonly backend: Backend;
  /** `estimate` with the per-operator rows. */
  estimateDetailed(batch: readonly BatchEntry[]): DetailedStepEstimate;
}

const MEMO_TOKENS = 16384;
const LEN_STEPS_PER_OCTAVE = 32;

interface StepSums {
  decodeCount: number;
  decodeTokens: number; // sum of (cacheLen + 1)
  prefillCount: number;
  prefillNew: number;
  prefillNewPlusCached: number;
  prefillWork2: number; // sum of s(s + 2p)
  prefillQTiles: number; // sum of ceil(s / 128)
}

function summarize(s: BatchSummary, out: StepSums): StepSums {
  out.decodeCount = s.decodeCount;
  out.decodeTokens = s.decodeContextSum + s.decodeCount;
  out.prefillCount = s.prefillCount;
  let n = 0;
  let np = 0;
  let w2 = 0;
  let tiles = 0;
  for (let i = 0; i < s.prefillCount; i++) {
    const a = s.prefillNew[i];
    const p = s.prefillCached[i];
    n += a;
    np += a + p;
    w2 += a * (a + 2 * p);
    tiles += Math.ceil(a / ATTN_Q_TILE);
  }
  out.prefillNew = n;
  out.prefillNewPlusCached = np;
  out.prefillWork2 = w2;
  out.prefillQTiles = tiles;
  return out;
}

/** Checks a batch and packs it into a summary (throws InputError on bad entries). */
export function summarizeBatch(batch: readonly BatchEntry[], into?: BatchSummary): BatchSummary {
  let prefill = 0;
  for (const e of batch) if (e.inputLen > 1) prefill++;
  const s: BatchSummary =
    into && into.prefillNew.length >= prefill
      ? into
      : { decodeCount: 0, decodeContextSum: 0, prefillCount: 0, prefillNew: new Int32Array(prefill), prefillCached: new Int32Array(prefill) };
  s.decodeCount = 0;
  s.decodeContextSum = 0;
  s.prefillCount = 0;
  batch.forEach((e, i) => {
    if (!Number.isInteger(e.cacheLen) || e.cacheLen < 0 || !Number.isInteger(e.inputLen) || e.inputLen < 1) {
      throw new InputError({
        path: `/batch/${i}`,
        message: `expected cacheLen >= 0 and inputLen >= 1 (integers), got ${e.cacheLen}:${e.inputLen}`,
      });
    }
    if (e.inputLen === 1) {
      s.decodeCount++;
      s.decodeContextSum += e.cacheLen;
    } else {
      s.prefillNew[s.prefillCount] = e.inputLen;
      s.prefillCached[s.prefillCount] = e.cacheLen;
      s.prefillCount++;
    }
  });
  return s;
}

class Estimator implements BatchEstimator {
  readonly kernels: KernelModel;
  readonly plan: OperatorPlan;
  readonly backend: Backend;
  private readonly overhead: EngineOverhead;
  private readonly cpuOverlap: CpuOverlap;
  private readonly graphMax: number;
  private readonly piecewiseDecode: boolean;
  /** Kernel launches of each driver's operators in one step (eager steps launch each from the CPU). */
  private readonly driverKernels = new Float64Array(DRIVER_COUNT);
  private readonly decodeAttn: AttentionHandle;
  private readonly prefillAttn: AttentionHandle;
  /** memo[driver * 2 + graph]: ms of all ops of that driver at m tokens; NaN = not computed. */
  private readonly memo: Float64Array[] = [];
  /** Operators of each driver. */
  private readonly driverOps: TokenOp[][] = [];
  private readonly decodeFactor = new Map<number, number>();
  private readonly prefillFactor = new Map<number, number>();
  private readonly sums: StepSums = {
    decodeCount: 0, decodeTokens: 0, prefillCount: 0, prefillNew: 0, prefillNewPlusCached: 0, prefillWork2: 0,
    prefillQTiles: 0,
  };
  private readonly drivers = new Float64Array(DRIVER_COUNT);
  private readonly work: AttentionWork = { batch: 0, kvHeads: 0, flops: 0, bytes: 0, qTiles: 0 };

  constructor(private readonly opts: EstimatorOptions) {
    const { model, gpu, tp } = opts;
    if (!Number.isInteger(tp) || tp < 1 || model.numAttentionHeads % tp !== 0) {
      throw new InputError({ path: "/tp", message: `tp=${tp} does not divide the ${model.numAttentionHeads} attention heads of ${model.id}` });
    }
    this.backend = opts.backend ?? "auto";
    this.kernels = new KernelModel({ gpu, backend: this.backend, fits: opts.fits, profiles: opts.profiles, commProfiles: opts.commProfiles });
    this.plan = buildOperatorPlan(model, tp, opts.weights, opts.kvDtype, this.kernels, { smoothFp8M: opts.engine === "vllm", fp8Gemm: opts.fp8Gemm });
    this.overhead = opts.overhead ?? ENGINE_OVERHEAD;
    this.cpuOverlap = opts.cpuOverlap ?? (opts.engine === "sglang" ? "overlap" : "serial");
    this.graphMax = opts.cudaGraphMaxBs ?? Infinity;
    this.piecewiseDecode = opts.piecewiseDecodeGraph ?? false;
    for (const op of this.plan.ops) this.driverKernels[op.driver] += op.count;
    const a = this.plan.attention;
    this.decodeAttn = a.mla
      ? this.kernels.attention(true, a.heads, 1, a.headDim, "bf16", opts.kvDtype, false)
      : this.kernels.attention(true, a.heads, a.kvHeads, a.headDim, "bf16", opts.kvDtype);
    this.prefillAttn = a.mla
      ? this.kernels.attention(false, a.heads, a.heads, a.prefillQkDim, "bf16", "bf16")
      : this.kernels.attention(false, a.heads, a.kvHeads, a.headDim, "bf16", opts.kvDtype);
    for (let d = 0; d < DRIVER_COUNT; d++) {
      const ops = this.plan.ops.filter((o) => o.driver === d);
      this.driverOps.push(ops);
      // Only drivers with operators get memo arrays (decode/prefill variants).
      for (let g = 0; g < 2; g++) this.memo.push(ops.length > 0 ? new Float64Array(MEMO_TOKENS + 1).fill(Number.NaN) : new Float64Array(0));
    }
  }

  // ---------------------------------------------------------------- attention work

  private decodeWork(s: StepSums): AttentionWork {
    const a = this.plan.attention;
    const w = this.work;
    w.batch = s.decodeCount;
    w.kvHeads = a.kvHeads;
    w.flops = s.decodeTokens * a.heads * a.decodeFlopsPerTokenHead;
    // KV read, plus each sequence's query and output rows (bf16): heads * (dk + dv) * 2 bytes, which
    // is numerically heads * decodeFlopsPerTokenHead for both GQA (4d) and MLA (2 * (576 + 512)).
    w.bytes = s.decodeTokens * a.decodeBytesPerToken + s.decodeCount * a.heads * a.decodeFlopsPerTokenHead;
    w.qTiles = 0;
    return w;
  }

  private prefillWork(s: StepSums): AttentionWork {
    const a = this.plan.attention;
    const w = this.work;
    const dSum = a.prefillQkDim + a.prefillVDim;
    // MLA prefill attends over decompressed bf16 K/V; GQA over the cache in its dtype.
    const kvB = a.mla ? 2 : a.kvBytes;
    w.batch = s.prefillCount;
    w.kvHeads = a.prefillKvHeads;
    w.flops = a.heads * dSum * s.prefillWork2;
    w.bytes = s.prefillNew * a.heads * dSum * 2 + s.prefillNewPlusCached * a.prefillKvHeads * dSum * kvB;
    w.qTiles = a.heads * s.prefillQTiles;
    return w;
  }

  /** Decode attention ms per layer; `quantize` = read the residual at the memo's length grid. */
  private decodeAttentionMs(s: StepSums, quantize: boolean): number {
    if (s.decodeCount === 0) return 0;
    const w = this.decodeWork(s);
    const len = s.decodeTokens / s.decodeCount;
    return this.kernels.attentionMs(this.decodeAttn, w, this.factor(this.decodeAttn, this.decodeFactor, s.decodeCount, len, quantize));
  }

  private prefillAttentionMs(s: StepSums, quantize: boolean): number {
    if (s.prefillCount === 0) return 0;
    const w = this.prefillWork(s);
    const len = Math.sqrt(s.prefillWork2 / s.prefillCount);
    return this.kernels.attentionMs(this.prefillAttn, w, this.factor(this.prefillAttn, this.prefillFactor, s.prefillCount, len, quantize));
  }

  private factor(h: AttentionHandle, memo: Map<number, number>, batch: number, len: number, quantize: boolean): number {
    if (!h.group) return 1;
    if (!quantize) return this.kernels.attentionFactor(h, batch, len);
    const q = Math.round(Math.log2(Math.max(1, len)) * LEN_STEPS_PER_OCTAVE);
    const key = batch * 4096 + q;
    let f = memo.get(key);
    if (f === undefined) {
      f = this.kernels.attentionFactor(h, batch, Math.pow(2, q / LEN_STEPS_PER_OCTAVE));
      memo.set(key, f);
    }
    return f;
  }

  // ---------------------------------------------------------------- token-driven operators

  private setDrivers(s: StepSums): Float64Array {
    const d = this.drivers;
    d[Driver.Tokens] = s.decodeCount + s.prefillNew;
    d[Driver.Logits] = s.decodeCount + s.prefillCount;
    d[Driver.DecodeTokens] = s.decodeCount;
    d[Driver.PrefillKv] = s.prefillNewPlusCached;
    return d;
  }

  private driverMs(driver: number, m: number, graph: boolean): number {
    if (m <= 0 || this.driverOps[driver].length === 0) return 0;
    const memo = this.memo[driver * 2 + (graph ? 1 : 0)];
    if (m <= MEMO_TOKENS) {
      const v = memo[m];
      if (!Number.isNaN(v)) return v;
    }
    let t = 0;
    for (const op of this.driverOps[driver]) t += op.count * op.ms(m, graph);
    if (m <= MEMO_TOKENS) memo[m] = t;
    return t;
  }

  // ---------------------------------------------------------------- public API

  stepUs(batch: BatchSummary): number {
    const s = summarize(batch, this.sums);
    const mode = this.graphMode(s);
    const graph = mode !== "eager";
    const d = this.setDrivers(s);
    let ms = 0;
    for (let i = 0; i < DRIVER_COUNT; i++) ms += this.driverMs(i, d[i], graph);
    ms += this.plan.layers * (this.decodeAttentionMs(s, true) + this.prefillAttentionMs(s, true));
    return stepWithCpuUs(this.overhead, this.cpuOverlap, ms * 1000, this.launchUs(s, mode, d), engineCpuUs(this.overhead, s.decodeCount, s.prefillCount));
  }

  /**
   * How the step runs: one captured CUDA graph (SGLang and vLLM >= 0.11 decode steps up to the
   * capture limit), graph pieces with attention launched eagerly (vLLM 0.10 decode steps, vLLM mixed
   * steps up to the limit in tokens), or every kernel launched eagerly (SGLang prefill steps, steps
   * above the limit).
   */
  private graphMode(s: StepSums): "graph" | "piecewise" | "eager" {
    const vllm = this.opts.engine === "vllm";
    if (s.prefillCount === 0) {
      if (s.decodeCount > this.graphMax) return "eager";
      return vllm && this.piecewiseDecode ? "piecewise" : "graph";
    }
    return vllm && s.decodeCount + s.prefillNew <= this.graphMax ? "piecewise" : "eager";
  }

  /** CPU time of the step's kernel launches, µs (0 for a captured graph). */
  private launchUs(s: StepSums, mode: "graph" | "piecewise" | "eager", d: Float64Array): number {
    if (mode === "graph") return 0;
    const attnCalls = (s.decodeCount > 0 ? 1 : 0) + (s.prefillCount > 0 ? 1 : 0);
    let kernels = this.plan.layers * attnCalls * ATTENTION_EAGER_LAUNCHES;
    if (mode === "eager") for (let i = 0; i < DRIVER_COUNT; i++) if (d[i] > 0) kernels += this.driverKernels[i];
    return kernels * EAGER_LAUNCH_US;
  }

  estimate(batch: readonly BatchEntry[]): StepEstimate {
    const d = this.estimateDetailed(batch);
    return { latencyMs: d.latencyMs, breakdown: d.breakdown };
  }

  estimateDetailed(batch: readonly BatchEntry[]): DetailedStepEstimate {
    const s = summarize(summarizeBatch(batch), {
      decodeCount: 0, decodeTokens: 0, prefillCount: 0, prefillNew: 0, prefillNewPlusCached: 0, prefillWork2: 0,
      prefillQTiles: 0,
    });
    const mode = this.graphMode(s);
    const graph = mode !== "eager";
    const drivers = Float64Array.from(this.setDrivers(s));
    const bd: StepBreakdown = { gemmMs: 0, attentionMs: 0, commMs: 0, otherMs: 0 };
    const ops: OpDetail[] = [];
    const add = (o: OpDetail) => {
      ops.push(o);
      if (o.cls === "gemm") bd.gemmMs += o.totalMs;
      else if (o.cls === "attention") bd.attentionMs += o.totalMs;
      else if (o.cls === "comm") bd.commMs += o.totalMs;
      else bd.otherMs += o.totalMs;
    };
    const km = this.kernels;
    const layers = this.plan.layers;
    for (const op of this.plan.ops) {
      const m = drivers[op.driver];
      if (m <= 0) continue;
      const per = op.ms(m, graph);
      const w = op.work(m);
      add({
        name: op.name, cls: op.cls, count: op.count, tokens: m, perOpMs: per, totalMs: per * op.count,
        flops: w.flops * op.count, bytes: w.bytes * op.count, source: km.lastSource,
      });
    }
    // Per layer, one attention call per phase; `source` is read right after the call that set it.
    const addAttention = (name: string, tokens: number, per: number, w: AttentionWork, h: AttentionHandle) =>
      add({
        name, cls: "attention", count: layers, tokens, perOpMs: per, totalMs: per * layers, flops: w.flops * layers,
        bytes: w.bytes * layers, source: h.group ? km.lastSource : "roofline",
      });
    if (s.prefillCount > 0) {
      const per = this.prefillAttentionMs(s, false);
      addAttention(`prefill attention (${s.prefillCount} seq)`, s.prefillNew, per, this.prefillWork(s), this.prefillAttn);
    }
    if (s.decodeCount > 0) {
      const per = this.decodeAttentionMs(s, false);
      addAttention(`decode attention (${s.decodeCount} seq)`, s.decodeCount, per, this.decodeWork(s), this.decodeAttn);
    }
    const gpuMs = bd.gemmMs + bd.attentionMs + bd.commMs + bd.otherMs;
    const overheadMs =
      stepWithCpuUs(this.overhead, this.cpuOverlap, gpuMs * 1000, this.launchUs(s, mode, drivers), engineCpuUs(this.overhead, s.decodeCount, s.prefillCount)) / 1000 -
      gpuMs;
    add({
      name: `engine overhead (${this.opts.engine})`, cls: "other", count: 1, tokens: s.decodeCount + s.prefillCount,
      perOpMs: overheadMs, totalMs: overheadMs, flops: 0, bytes: 0, source: "constant",
    });
    const latencyMs = bd.gemmMs + bd.attentionMs + bd.commMs + bd.otherMs;
    return {
      latencyMs, breakdown: bd, ops, tokens: drivers[Driver.Tokens], logitRows: drivers[Driver.Logits],
      decodeCount: s.decodeCount, prefillCount: s.prefillCount, graph, overheadMs,
    };
  }
}

/** Builds the step estimator of one deployment shape (model x GPU x TP x dtypes x engine). */
export function createEstimator(opts: EstimatorOptions): BatchEstimator {
  return new Estimator(opts);
}
