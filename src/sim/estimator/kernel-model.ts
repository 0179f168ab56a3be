/**
 * Per-kernel latency for one GPU behind one interface, with two backends:
 * - table: interpolation in the GPU's bundled measured tables. What is interpolated is the log of
 *   measured / modeled latency, where the model is the roofline fitted on this GPU's own bundled rows;
 *   the model carries the shape's physics (FLOPs, bytes, waves, launch floor), the table the residual,
 *   which varies slowly and so survives the dropped grid rows.
 * - roofline: the fitted models alone. On a profiled GPU it uses the fit that excludes that GPU
 *   (leave-one-GPU-out, so `validate estimator --backend roofline` is an honest no-table prediction);
 *   other GPUs use the fit on every profiled GPU.
 * `auto` uses the table where it covers the shape, and elsewhere the GPU's own fitted model anchored
 * to the nearest measured point ("anchored").
 *
 * A GPU without tables borrows those of the profiled GPU of the same architecture (AIConfigurator's
 * HYBRID idea): the borrowed measurement's utilization at the same shape, applied to the target's
 * peaks, i.e. t = t_measured x model(target) / model(measured GPU) with the measured GPU's own fit.
 * Kernels under ~20 us are latency-bound (launch, DRAM latency; measured small-kernel latencies on
 * H200 equal H100's), so they take what they take on the measured GPU; the peak ratio applies in
 * full from 40 us, in between in proportion (`transferWeight`). Communication tables are borrowed
 * the same way from the same-architecture GPU, else the one with the closest NVLink bandwidth.
 * GPUs with nothing to borrow get the roofline fitted on every profiled GPU.
 */
import type { GpuSpec } from "../../config/types.js";
import { InputError } from "../../errors.js";
import type { GridLookup } from "./grid-interp.js";
import {
  rooflineFitKey, selfFitKey, type AttentionParams, type AttentionRow,
  type ElementwiseOp, type GemmKind, type GemmParams, type GpuPeaksWithId, type KernelProfiles, type RooflineFit,
  type RooflineFitSet,
} from "./kernel-profiles.js";
import {
  allgatherModelMs, allreduceModelMs, attentionModelMs, contextWork, elementwiseModelMs, gemmModelMs,
  gemmVariant, generationWork, type AttentionWork, type GemmVariant, type GemmVariantKind, type GpuPeaks,
} from "./roofline.js";
import {
  attentionParamsOf, buildCommTables, buildKernelTables, builtComm, builtTables, gemmParamsOf, smoothBase,
  type AttnGroup, type CommTables, type GemmTable,
} from "./kernel-tables.js";

/** The backends described above (the CLI's `--backend` choices). */
export const BACKENDS = ["auto", "table", "roofline"] as const;
export type Backend = (typeof BACKENDS)[number];
/**
 * Where an operator's time came from: a measured table; the fitted roofline; the roofline anchored to
 * the nearest measured point (outside a table's grid, another head shape, weight-only variants);
 * a constant (engine overhead).
 */
export type OpSource = "table" | "roofline" | "anchored" | "constant";

/** A resolved attention kernel: the parameters, peak and (maybe) table group for one head shape. */
export interface AttentionHandle {
  decode: boolean;
  params: AttentionParams;
  peakTflops: number;
  /** fp8 attention math (else bf16): which peak of a lending GPU applies. */
  fp8Math: boolean;
  group: AttnGroup | undefined;
  /** The group matches the head shape exactly. */
  exact: boolean;
}

export interface KernelModelOptions {
  gpu: GpuSpec;
  backend: Backend;
  fits: RooflineFitSet;
  /** Measured compute tables: the GPU's own, or (borrowed) those of a GPU of the same architecture. */
  profiles?: KernelProfiles;
  /** Measured communication tables (default: `profiles`); may be another GPU's. */
  commProfiles?: KernelProfiles;
}

/** Measured latency (us) below which a borrowed kernel keeps its measured time, and where the peak ratio applies fully. */
export const TRANSFER_LATENCY_US = 20;
const TRANSFER_FULL_US = 40;

/**
 * Share (0..1, in log space) of the peak ratio applied to a kernel measured at `measuredMs` on the
 * GPU whose tables are borrowed.
 */
export function transferWeight(measuredMs: number): number {
  const us = measuredMs * 1000;
  return Math.min(1, Math.max(0, (us - TRANSFER_LATENCY_US) / (TRANSFER_FULL_US - TRANSFER_LATENCY_US)));
}

/** A borrowed measurement `measuredMs`, moved to the target by the model ratio `targetModelMs / sourceModelMs`. */
function transferred(measuredMs: number, targetModelMs: number, sourceModelMs: number): number {
  const w = transferWeight(measuredMs);
  return w === 0 ? measuredMs : measuredMs * Math.pow(targetModelMs / sourceModelMs, w);
}

const aicKvDtype = (kv: "bf16" | "fp8") => (kv === "fp8" ? "fp8" : "bfloat16");

export class KernelModel {
  readonly gpu: GpuSpec;
  readonly backend: Backend;
  /** Parameters of the models used alone or as interpolation base. */
  readonly fit: RooflineFit;
  readonly fitKey: string;
  readonly hasTables: boolean;
  /** The compute tables are another GPU's (same architecture), moved to this GPU's peaks. */
  readonly borrowed: boolean;
  /** The GPU the compute tables were measured on (this GPU unless borrowed). */
  readonly tableGpu: GpuPeaks;
  /** Source of the last value returned (valid until the next call). */
  lastSource: OpSource = "roofline";

  private readonly gemmTables: Map<GemmKind, GemmTable>;
  private readonly ctxGroups: AttnGroup[];
  private readonly genGroups: AttnGroup[];
  private readonly comm: CommTables | undefined;
  /** The GPU the communication tables were measured on, when borrowed. */
  private readonly commGpu: GpuPeaks | undefined;
  private readonly look: GridLookup = { value: 0, inside: false };
  private readonly c3 = new Float64Array(3);
  private readonly c2 = new Float64Array(2);
  private readonly c1 = new Float64Array(1);

  constructor(opts: KernelModelOptions) {
    this.gpu = opts.gpu;
    this.backend = opts.backend;
    const own = opts.profiles !== undefined && opts.profiles.gpuId === opts.gpu.id;
    if (opts.backend === "table" && !own) {
      throw new InputError(
        `no measured kernel tables are bundled for ${opts.gpu.id} (tables exist for ${opts.fits.profiledGpus.join(", ")}); ` +
          "expected --backend auto or roofline",
      );
    }
    const useTables = opts.backend !== "roofline" && opts.profiles !== undefined;
    this.borrowed = useTables && !own;
    const source = useTables ? (own ? opts.gpu : lender(opts.profiles!, opts.gpu, "compute")) : opts.gpu;
    if (this.borrowed && source.architecture !== opts.gpu.architecture) {
      throw new InputError(
        `kernel tables of ${opts.profiles!.gpuId} (${source.architecture ?? "unknown architecture"}) cannot stand in for ` +
          `${opts.gpu.id} (${opts.gpu.architecture ?? "unknown architecture"}); expected a GPU of the same architecture`,
      );
    }
    this.tableGpu = source;
    // Tables are interpolated on the fit of the GPU they were measured on; the roofline alone uses
    // the fit that excludes this GPU (leave-one-GPU-out on profiled ones, every GPU otherwise).
    this.fitKey = useTables ? selfFitKey(opts.profiles!.gpuId) : rooflineFitKey(opts.fits, opts.gpu.id);
    const fit = opts.fits.fits[this.fitKey];
    if (!fit) throw new InputError(`roofline fit "${this.fitKey}" is missing from the bundled roofline-fit.json`);
    this.fit = fit;
    this.hasTables = useTables;
    if (useTables) {
      // Grids depend only on (tables, fit): build them once per process and share them.
      let byFit = builtTables.get(opts.profiles!);
      if (!byFit) builtTables.set(opts.profiles!, (byFit = new WeakMap()));
      let t = byFit.get(fit);
      if (!t) byFit.set(fit, (t = buildKernelTables(opts.profiles!, fit, opts.gpu, this.tableGpu)));
      this.gemmTables = t.gemm;
      this.ctxGroups = t.context;
      this.genGroups = t.generation;
    } else {
      this.gemmTables = new Map();
      this.ctxGroups = [];
      this.genGroups = [];
    }
    const commProfiles = opts.backend === "roofline" ? undefined : (opts.commProfiles ?? opts.profiles);
    if (commProfiles) {
      const ownComm = commProfiles.gpuId === opts.gpu.id;
      this.commGpu = ownComm ? undefined : lender(commProfiles, opts.gpu, "communication");
      let byParams = builtComm.get(commProfiles);
      if (!byParams) builtComm.set(commProfiles, (byParams = new WeakMap()));
      let c = byParams.get(fit.allreduce);
      if (!c) byParams.set(fit.allreduce, (c = buildCommTables(commProfiles, fit.allreduce, this.commGpu ?? opts.gpu)));
      this.comm = c;
    }
  }

  // ------------------------------------------------------------------ GEMM

  private gemmParams(kind: GemmVariantKind): GemmParams {
    return gemmParamsOf(this.fit, kind);
  }

  /** The variant a weight dtype runs as on this GPU (fp8 without fp8 tensor cores is weight-only). */
  variantKind(kind: GemmVariantKind): GemmVariantKind {
    if ((kind === "fp8" || kind === "fp8_block") && this.gpu.fp8Tflops === null) return "wo8";
    return kind;
  }

  variant(kind: GemmVariantKind): GemmVariant {
    return gemmVariant(this.gpu, this.variantKind(kind));
  }

  /** Modeled (untabled) GEMM time, ms. */
  gemmBaseMs(kind: GemmVariantKind, m: number, n: number, k: number): number {
    const vk = this.variantKind(kind);
    return gemmModelMs(this.gemmParams(vk), this.gpu, gemmVariant(this.gpu, vk), m, n, k);
  }

  /** GEMM latency in ms: `m` tokens x `k` -> `n` features, weights of `kind`. */
  gemmMs(kind: GemmVariantKind, m: number, n: number, k: number): number {
    const vk = this.variantKind(kind);
    const params = this.gemmParams(vk);
    const base = gemmModelMs(params, this.gpu, gemmVariant(this.gpu, vk), m, n, k);
    if (!this.hasTables) {
      this.lastSource = "roofline";
      return base;
    }
    // Weight-only variants borrow the bf16 table's residual (same compute path, fewer weight bytes).
    const tableKind: GemmKind = vk === "fp8" || vk === "fp8_block" ? vk : "bf16";
    const t = this.gemmTables.get(tableKind) ?? this.gemmTables.get("bf16");
    if (!t) {
      this.lastSource = "anchored";
      return base;
    }
    this.c3[0] = m;
    this.c3[1] = n;
    this.c3[2] = k;
    t.grid.lookup(this.c3, this.look);
    this.lastSource = this.look.inside && t.kind === vk && !this.borrowed ? "table" : "anchored";
    if (!this.borrowed) return base * Math.exp(this.look.value);
    const src = gemmModelMs(params, this.tableGpu, gemmVariant(this.tableGpu, vk), m, n, k);
    return transferred(src * Math.exp(this.look.value), base, src);
  }

  /**
   * GEMM latency for a kernel whose tiling does not change with m above 128 rows: the table's value
   * between two powers of two is interpolated linearly between them. The bundled tables were
   * measured with SGLang's kernels; their fp8 per-tensor GEMM steps up just past every power of two
   * (H100, n=7168, k=8192: m=1024 0.10 ms, m=1025 0.15 ms, m=2048 0.20 ms). vLLM's SM90
   * fp8 per-tensor GEMM (cutlass_scaled_mm, csrc/quantization/cutlass_w8a8/c3x/
   * scaled_mm_sm90_fp8_dispatch.cuh) runs one 128x128x128-tile configuration for every m > 128, so
   * its time grows with the number of row tiles, not in steps. Tables only; the roofline is smooth.
   */
  gemmMsSmoothM(kind: GemmVariantKind, m: number, n: number, k: number): number {
    if (!this.hasTables || m <= 128) return this.gemmMs(kind, m, n, k);
    const lo = 2 ** Math.floor(Math.log2(m));
    if (lo === m) return this.gemmMs(kind, m, n, k);
    const a = this.gemmMs(kind, lo, n, k);
    const b = this.gemmMs(kind, 2 * lo, n, k);
    return a + ((b - a) * (m - lo)) / lo;
  }

  /** Whether the bundled GEMM table of `kind` holds exactly this grid point. */
  gemmInTable(kind: GemmKind, m: number, n: number, k: number): boolean {
    const t = this.gemmTables.get(kind);
    if (!t) return false;
    this.c3[0] = m;
    this.c3[1] = n;
    this.c3[2] = k;
    return t.grid.has(this.c3);
  }

  // ------------------------------------------------------------------ attention

  /**
   * Resolves the kernel for a head shape. `attnDtype` fp8 = fp8 attention math (H100 FA3 fp8);
   * `kvDtype` is the KV-cache element type. `table` = false skips tables (MLA: no table covers it).
   */
  attention(
    decode: boolean, heads: number, kvHeads: number, headDim: number, attnDtype: "bf16" | "fp8", kvDtype: "bf16" | "fp8",
    table = true,
  ): AttentionHandle {
    const aAttn = attnDtype === "fp8" && this.gpu.fp8Tflops !== null ? "fp8" : "bfloat16";
    const aKv = aicKvDtype(kvDtype);
    const key = `${aAttn}/${aKv}`;
    const byKey = decode ? this.fit.generation : this.fit.context;
    let params = byKey[key] ?? byKey[`bfloat16/${aKv}`] ?? byKey["bfloat16/bfloat16"] ?? Object.values(byKey)[0];
    if (this.hasTables && table) params = smoothBase(params);
    const peakTflops = aAttn === "fp8" ? (this.gpu.fp8Tflops ?? this.gpu.bf16Tflops) : this.gpu.bf16Tflops;
    let group: AttnGroup | undefined;
    let exact = false;
    if (this.hasTables && table) {
      const groups = decode ? this.genGroups : this.ctxGroups;
      let best = Infinity;
      for (const g of groups) {
        // Same dtypes preferred; a different dtype pair costs more than any head-count distance.
        const dtypeCost = (g.attnDtype === aAttn ? 0 : 100) + (g.kvDtype === aKv ? 0 : 100);
        const dist =
          dtypeCost + Math.abs(Math.log(g.heads / heads)) + Math.abs(Math.log(g.kvHeads / kvHeads)) +
          Math.abs(Math.log(g.headDim / headDim));
        if (dist < best) {
          best = dist;
          group = g;
        }
      }
      exact = best < 1e-9;
    }
    return { decode, params, peakTflops, fp8Math: aAttn === "fp8", group, exact };
  }

  /** Modeled (untabled) attention time of a call doing `w`, ms. */
  attentionBaseMs(h: AttentionHandle, w: AttentionWork): number {
    return attentionModelMs(h.params, this.gpu, w, h.peakTflops);
  }

  /**
   * Attention time of a call doing `w`, ms, given its table residual `factor` (`attentionFactor`)
   * and, optionally, its modeled time `baseMs` (`attentionBaseMs`) when already computed.
   */
  attentionMs(h: AttentionHandle, w: AttentionWork, factor: number, baseMs = this.attentionBaseMs(h, w)): number {
    if (!this.borrowed || !h.group) return baseMs * factor;
    const src = attentionModelMs(h.params, this.tableGpu, w, this.tablePeak(h));
    return transferred(src * factor, baseMs, src);
  }

  private tablePeak(h: AttentionHandle): number {
    return h.fp8Math ? (this.tableGpu.fp8Tflops ?? this.tableGpu.bf16Tflops) : this.tableGpu.bf16Tflops;
  }

  /**
   * Table residual factor (measured / modeled) at `batch` sequences of length `len` (context: new
   * tokens per sequence; decode: KV tokens per sequence); 1 without a table. Sets `lastSource`.
   */
  attentionFactor(h: AttentionHandle, batch: number, len: number): number {
    if (!h.group) {
      this.lastSource = "roofline";
      return 1;
    }
    this.c2[0] = Math.max(1, batch);
    this.c2[1] = Math.max(1, len);
    h.group.grid.lookup(this.c2, this.look);
    this.lastSource = this.look.inside && h.exact && !this.borrowed ? "table" : "anchored";
    return Math.exp(this.look.value);
  }

  /** Context (prefill) attention of `batch` sequences of `isl` new tokens over `cached` tokens, ms. */
  contextAttentionMs(
    batch: number, isl: number, cached: number, heads: number, kvHeads: number, headDim: number,
    attnDtype: "bf16" | "fp8", kvDtype: "bf16" | "fp8",
  ): number {
    const h = this.attention(false, heads, kvHeads, headDim, attnDtype, kvDtype);
    const w = contextWork(batch, isl, cached, heads, kvHeads, headDim, headDim, kvDtype === "fp8" ? 1 : 2);
    // A cached prefix is looked up at the sequence length of equal causal work: s_eq^2 = s(s + 2p).
    const sEq = Math.sqrt(isl * (isl + 2 * cached));
    return this.attentionMs(h, w, this.attentionFactor(h, batch, sEq));
  }

  /** Decode attention of `batch` sequences each over `kvLen` tokens (cached + the new one), ms. */
  generationAttentionMs(
    batch: number, kvLen: number, heads: number, kvHeads: number, headDim: number, kvDtype: "bf16" | "fp8",
  ): number {
    const h = this.attention(true, heads, kvHeads, headDim, "bf16", kvDtype);
    const w = generationWork(batch, batch * kvLen, heads, kvHeads, headDim, headDim, kvDtype === "fp8" ? 1 : 2);
    return this.attentionMs(h, w, this.attentionFactor(h, batch, kvLen));
  }

  /** Whether the bundled attention table holds exactly this row. */
  attentionInTable(decode: boolean, r: AttentionRow): boolean {
    const groups = decode ? this.genGroups : this.ctxGroups;
    const g = groups.find(
      (x) => x.attnDtype === r.attnDtype && x.kvDtype === r.kvDtype && x.heads === r.heads && x.kvHeads === r.kvHeads &&
        x.headDim === r.headDim,
    );
    if (!g) return false;
    this.c2[0] = r.batch;
    this.c2[1] = decode ? r.step + 1 : r.isl;
    return g.grid.has(this.c2);
  }

  // ------------------------------------------------------------------ communication and elementwise

  /** All-reduce of `elems` bf16 elements over `n` GPUs, ms; `graph` = CUDA-graph variant (decode). */
  allreduceMs(n: number, elems: number, graph: boolean): number {
    if (n <= 1) return 0;
    const p = this.fit.allreduce;
    const base = allreduceModelMs(p, this.gpu, n, elems * 2, graph);
    const grid = this.comm?.allreduce.get(`${n}/${graph ? "graph" : "eager"}`);
    if (!grid) {
      this.lastSource = this.comm ? "anchored" : "roofline";
      return base;
    }
    this.c1[0] = Math.max(1, elems);
    grid.lookup(this.c1, this.look);
    this.lastSource = this.look.inside && !this.commGpu ? "table" : "anchored";
    if (!this.commGpu) return base * Math.exp(this.look.value);
    const src = allreduceModelMs(p, this.commGpu, n, elems * 2, graph);
    return transferred(src * Math.exp(this.look.value), base, src);
  }

  /**
   * All-gather whose result is `bytes` in total (bf16), over `n` GPUs, ms: NCCL's measured all_gather
   * where a table covers `n` (eager: the table holds NCCL launches; a CUDA graph saves only launch
   * time, which the model's graph/eager launch difference adds back), else the bandwidth model.
   */
  allgatherMs(n: number, bytes: number, graph: boolean): number {
    if (n <= 1) return 0;
    const p = this.fit.allreduce;
    const base = allgatherModelMs(p, this.gpu, n, bytes, graph);
    const grid = this.comm?.allgather.get(n);
    if (!grid) {
      this.lastSource = "roofline";
      return base;
    }
    this.c1[0] = Math.max(1, bytes / 2);
    grid.lookup(this.c1, this.look);
    this.lastSource = this.look.inside && !this.commGpu ? "table" : "anchored";
    if (!this.commGpu) return base * Math.exp(this.look.value);
    const src = allgatherModelMs(p, this.commGpu, n, bytes, graph);
    return transferred(src * Math.exp(this.look.value), base, src);
  }

  /** A memory-bound elementwise kernel of class `op` moving `bytes`, ms. */
  elementwiseMs(op: ElementwiseOp, bytes: number): number {
    this.lastSource = "roofline";
    return elementwiseModelMs(this.fit.elementwise[op], this.gpu, bytes);
  }

  private paramsFor(decode: boolean, key: string): AttentionParams {
    return attentionParamsOf(this.fit, decode, key);
  }
}

/** The peaks of the GPU `p` was measured on, for lending its tables to `to`. */
function lender(p: KernelProfiles, to: GpuSpec, what: string): GpuPeaksWithId {
  if (!p.measuredOn || p.measuredOn.id !== p.gpuId) {
    throw new InputError(`${what} kernel tables of ${p.gpuId} were given for ${to.id} without ${p.gpuId}'s peaks (measuredOn)`);
  }
  return p.measuredOn;
}
