/**
 * The interpolation grids of a GPU's measured kernel tables (kernel-model.ts). What is interpolated
 * is the log of measured / modeled latency, the model being the roofline fitted on the GPU the tables
 * were measured on: the model carries the shape's physics, the grid the residual. Grids depend only
 * on (tables, fit), so they are built once per process and shared.
 */
import type { GpuSpec } from "../../config/types.js";
import { SparseGrid } from "./grid-interp.js";
import type {
  AllreduceParams, AllreduceRow, AttentionParams, AttentionRow, GemmKind, GemmParams, KernelProfiles, RooflineFit,
} from "./kernel-profiles.js";
import {
  allgatherModelMs, allreduceModelMs, attentionModelMs, contextWork, gemmModelMs, gemmVariant, generationWork,
  type GemmVariantKind, type GpuPeaks,
} from "./roofline.js";

const AIC_GEMM_DTYPE: Record<GemmKind, string> = { bf16: "bfloat16", fp8: "fp8", fp8_block: "fp8_block" };

export interface GemmTable {
  kind: GemmKind;
  grid: SparseGrid;
}

export interface AttnGroup {
  attnDtype: string;
  kvDtype: string;
  heads: number;
  kvHeads: number;
  headDim: number;
  grid: SparseGrid;
}

export interface BuiltTables {
  gemm: Map<GemmKind, GemmTable>;
  context: AttnGroup[];
  generation: AttnGroup[];
}

export interface CommTables {
  /** Custom all-reduce by `${gpus}/${graph|eager}`. */
  allreduce: Map<string, SparseGrid>;
  /** NCCL all_gather by GPU count. */
  allgather: Map<number, SparseGrid>;
}

/** Interpolation grids per bundled table set and fit; deterministic, so sharing them is safe. */
export const builtTables = new WeakMap<KernelProfiles, WeakMap<RooflineFit, BuiltTables>>();
export const builtComm = new WeakMap<KernelProfiles, WeakMap<AllreduceParams, CommTables>>();

/** The fitted GEMM parameters a variant runs with (fp8 kinds fall back to the nearest fitted one). */
export function gemmParamsOf(fit: RooflineFit, kind: GemmVariantKind): GemmParams {
  const g = fit.gemm;
  if (kind === "fp8") return g.fp8 ?? g.bf16;
  if (kind === "fp8_block") return g.fp8_block ?? g.fp8 ?? g.bf16;
  return g.bf16;
}

/** The fitted attention parameters for `attnDtype/kvDtype` (`key`), else bf16's, else any. */
export function attentionParamsOf(fit: RooflineFit, decode: boolean, key: string): AttentionParams {
  const byKey = decode ? fit.generation : fit.context;
  return byKey[key] ?? byKey["bfloat16/bfloat16"] ?? Object.values(byKey)[0];
}

/**
 * The interpolation base of attention tables leaves out wave quantization: the tables already hold
 * it at their grid points, and a stepped base makes the residual between grid points jump (measured:
 * held-out error rises from 4.4% to 4.6% on H100 and 4.7% to 5.5% on A100 with it).
 */
const smoothCache = new WeakMap<AttentionParams, AttentionParams>();
export function smoothBase(p: AttentionParams): AttentionParams {
  if (p.waveAlpha === 0) return p;
  let s = smoothCache.get(p);
  if (!s) smoothCache.set(p, (s = { ...p, waveAlpha: 0 }));
  return s;
}

/**
 * GEMM and attention grids of tables `p` measured on `tableGpu`, for `gpu` (fp8 tables only where
 * both have fp8 tensor cores), on `fit` (the measuring GPU's own).
 */
export function buildKernelTables(p: KernelProfiles, fit: RooflineFit, gpu: GpuSpec, tableGpu: GpuPeaks): BuiltTables {
  const out: BuiltTables = { gemm: new Map(), context: [], generation: [] };
  const g = tableGpu;
  for (const kind of ["bf16", "fp8", "fp8_block"] as const) {
    const rows = p.gemm.filter((r) => r.dtype === AIC_GEMM_DTYPE[kind]);
    if (rows.length === 0) continue;
    if (kind !== "bf16" && (gpu.fp8Tflops === null || g.fp8Tflops === null)) continue;
    const params = gemmParamsOf(fit, kind);
    const v = gemmVariant(g, kind);
    const pts = rows.map((r) => [r.m, r.n, r.k]);
    const vals = rows.map((r) => Math.log(r.latencyMs / gemmModelMs(params, g, v, r.m, r.n, r.k)));
    out.gemm.set(kind, { kind, grid: new SparseGrid(pts, vals, 3) });
  }
  for (const decode of [false, true]) {
    const rows = decode ? p.generation : p.context;
    const groups = new Map<string, AttentionRow[]>();
    for (const r of rows) {
      const key = `${r.attnDtype}|${r.kvDtype}|${r.heads}|${r.kvHeads}|${r.headDim}`;
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(r);
    }
    for (const list of groups.values()) {
      const r0 = list[0];
      if (r0.attnDtype === "fp8" && (gpu.fp8Tflops === null || g.fp8Tflops === null)) continue;
      const params = smoothBase(attentionParamsOf(fit, decode, `${r0.attnDtype}/${r0.kvDtype}`));
      const peak = r0.attnDtype === "fp8" ? (g.fp8Tflops ?? g.bf16Tflops) : g.bf16Tflops;
      const kvB = r0.kvDtype === "fp8" ? 1 : 2;
      const pts: number[][] = [];
      const vals: number[] = [];
      for (const r of list) {
        const w = decode
          ? generationWork(r.batch, r.batch * (r.step + 1), r.heads, r.kvHeads, r.headDim, r.headDim, kvB)
          : contextWork(r.batch, r.isl, r.step, r.heads, r.kvHeads, r.headDim, r.headDim, kvB);
        pts.push([r.batch, decode ? r.step + 1 : Math.sqrt(r.isl * (r.isl + 2 * r.step))]);
        vals.push(Math.log(r.latencyMs / attentionModelMs(params, g, w, peak)));
      }
      (decode ? out.generation : out.context).push({
        attnDtype: r0.attnDtype, kvDtype: r0.kvDtype, heads: r0.heads, kvHeads: r0.kvHeads, headDim: r0.headDim,
        grid: new SparseGrid(pts, vals, 2),
      });
    }
  }
  return out;
}

/** All-reduce and all-gather grids of the communication tables `p` measured on `g`, on `params`. */
export function buildCommTables(p: KernelProfiles, params: AllreduceParams, g: GpuPeaks): CommTables {
  const out: CommTables = { allreduce: new Map(), allgather: new Map() };
  const arGroups = new Map<string, AllreduceRow[]>();
  for (const r of p.allreduce) {
    if (r.dtype !== "bfloat16") continue;
    const key = `${r.numGpus}/${r.backend.includes("graph") ? "graph" : "eager"}`;
    let list = arGroups.get(key);
    if (!list) arGroups.set(key, (list = []));
    list.push(r);
  }
  for (const [key, list] of arGroups) {
    const pts = list.map((r) => [r.messageElems]);
    const vals = list.map((r) =>
      Math.log(r.latencyMs / allreduceModelMs(params, g, r.numGpus, r.messageElems * 2, key.endsWith("graph"))));
    out.allreduce.set(key, new SparseGrid(pts, vals, 1));
  }
  const agGroups = new Map<number, { elems: number; ms: number }[]>();
  for (const r of p.nccl ?? []) {
    if (r.op !== "all_gather" || r.dtype !== "half") continue;
    let list = agGroups.get(r.numGpus);
    if (!list) agGroups.set(r.numGpus, (list = []));
    list.push({ elems: r.messageElems, ms: r.latencyMs });
  }
  for (const [n, list] of agGroups) {
    const pts = list.map((r) => [r.elems]);
    const vals = list.map((r) => Math.log(r.ms / allgatherModelMs(params, g, n, r.elems * 2, false)));
    out.allgather.set(n, new SparseGrid(pts, vals, 1));
  }
  return out;
}
