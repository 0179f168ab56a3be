/**
 * The evaluation behind `validate estimator` (beside `validate e2e`'s in validate-e2e.ts): predicts
 * every row of a measured AIConfigurator kernel table with the estimator's kernel model for the GPU
 * and reports the error. Nothing is fitted on the file: the table backend interpolates the bundled
 * compact tables (and reports separately the rows whose grid point is not bundled, "heldOut"), the
 * roofline backend uses the fit that excludes the GPU.
 */
import { resolveGpu } from "../catalog/index.js";
import { loadKernelProfiles, loadRooflineFits } from "../catalog/profiles.js";
import type { AttentionRow, GemmKind, GemmRow, KernelTable } from "../sim/estimator/kernel-profiles.js";
import { KernelModel, type Backend, type OpSource } from "../sim/estimator/kernel-model.js";
import { quantileSorted } from "../sim/metrics/quantile.js";
import { mape } from "./mape.js";

export interface EstimatorValidation {
  table: KernelTable["kind"];
  gpu: string;
  backend: Backend;
  fit: string;
  rows: number;
  mape: number;
  medianApe: number;
  p90Ape: number;
  byDtype: Record<string, { rows: number; mape: number }>;
  skipped: number;
  skippedReasons: Record<string, number>;
  heldOut: { rows: number; mape: number };
  bySource: Record<OpSource, number>;
}

const GEMM_KIND: Record<string, GemmKind> = { bfloat16: "bf16", fp8: "fp8", fp8_block: "fp8_block" };
const dt = (s: string): "bf16" | "fp8" | undefined => (s === "bfloat16" ? "bf16" : s === "fp8" ? "fp8" : undefined);

/** Predicts every row of `table` on `gpuId` with `backend` and summarizes the error. */
export function validateEstimatorTable(table: KernelTable, gpuId: string, backend: Backend): EstimatorValidation {
  const gpu = resolveGpu(gpuId);
  const fits = loadRooflineFits();
  const profiles = loadKernelProfiles(gpu.id);
  const model = new KernelModel({ gpu, backend, fits, profiles });
  // Membership in the bundled table is checked against the table backend whatever backend runs.
  const bundled = profiles ? (backend === "roofline" ? new KernelModel({ gpu, backend: "auto", fits, profiles }) : model) : undefined;

  const apes: number[] = [];
  const byDtype = new Map<string, number[]>();
  const skippedReasons: Record<string, number> = {};
  const heldOut: number[] = [];
  const bySource: Record<OpSource, number> = { table: 0, roofline: 0, anchored: 0, constant: 0 };
  const skip = (why: string) => (skippedReasons[why] = (skippedReasons[why] ?? 0) + 1);
  const add = (dtype: string, predicted: number, measured: number, inTable: boolean) => {
    const ape = Math.abs(predicted / measured - 1);
    apes.push(ape);
    const a = byDtype.get(dtype) ?? [];
    a.push(ape);
    byDtype.set(dtype, a);
    bySource[model.lastSource]++;
    if (!inTable) heldOut.push(ape);
  };
  const noFp8 = `${gpu.id} has no fp8 tensor cores`;

  if (table.kind === "gemm") {
    for (const r of table.rows as GemmRow[]) {
      const kind = GEMM_KIND[r.dtype];
      if (!kind) {
        skip(`gemm dtype ${r.dtype} is not modeled`);
        continue;
      }
      if (kind !== "bf16" && gpu.fp8Tflops === null) {
        skip(noFp8);
        continue;
      }
      const ms = model.gemmMs(kind, r.m, r.n, r.k);
      const inTable = bundled?.gemmInTable(kind, r.m, r.n, r.k) ?? false;
      add(r.dtype, ms, r.latencyMs, inTable);
    }
  } else if (table.kind === "context" || table.kind === "generation") {
    const decode = table.kind === "generation";
    for (const r of table.rows as AttentionRow[]) {
      const a = dt(r.attnDtype);
      const kv = dt(r.kvDtype);
      if (!a || !kv) {
        skip(`attention dtype ${r.attnDtype}/${r.kvDtype} is not modeled`);
        continue;
      }
      if ((a === "fp8" || kv === "fp8") && gpu.fp8Tflops === null) {
        skip(noFp8);
        continue;
      }
      const ms = decode
        ? model.generationAttentionMs(r.batch, r.step + 1, r.heads, r.kvHeads, r.headDim, kv)
        : model.contextAttentionMs(r.batch, r.isl, r.step, r.heads, r.kvHeads, r.headDim, a, kv);
      add(`${r.attnDtype}/${r.kvDtype}`, ms, r.latencyMs, bundled?.attentionInTable(decode, r) ?? false);
    }
  } else if (table.kind === "nccl") {
    for (const r of table.rows) {
      if (r.op !== "all_gather" || r.dtype !== "half") {
        skip(`NCCL ${r.op} ${r.dtype} is not modeled`);
        continue;
      }
      const ms = model.allgatherMs(r.numGpus, r.messageElems * 2, false);
      const inTable = profiles?.nccl.some((x) => x.op === r.op && x.numGpus === r.numGpus && x.messageElems === r.messageElems) ?? false;
      add(`${r.op}/${r.dtype}`, ms, r.latencyMs, inTable);
    }
  } else {
    const keys = new Set(profiles?.allreduce.map((r) => `${r.numGpus}/${r.messageElems}/${r.backend}`) ?? []);
    for (const r of table.rows) {
      if (r.dtype !== "bfloat16") {
        skip(`all-reduce dtype ${r.dtype} is not modeled`);
        continue;
      }
      const ms = model.allreduceMs(r.numGpus, r.messageElems, r.backend.includes("graph"));
      add(`${r.dtype}/${r.backend || "default"}`, ms, r.latencyMs, keys.has(`${r.numGpus}/${r.messageElems}/${r.backend}`));
    }
  }

  const sorted = [...apes].sort((x, y) => x - y);
  const pct = (p: number) => (sorted.length > 0 ? quantileSorted(sorted, p) : 0);
  return {
    table: table.kind,
    gpu: gpu.id,
    backend,
    fit: model.fitKey,
    rows: apes.length,
    mape: mape(apes),
    medianApe: pct(0.5),
    p90Ape: pct(0.9),
    byDtype: Object.fromEntries([...byDtype.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([k, v]) => [k, { rows: v.length, mape: mape(v) }])),
    skipped: Object.values(skippedReasons).reduce((s, v) => s + v, 0),
    skippedReasons,
    heldOut: { rows: heldOut.length, mape: mape(heldOut) },
    bySource,
  };
}
