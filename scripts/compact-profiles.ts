/**
 * Dev script: compacts the measured kernel tables bundled with hisim-tune and fits the roofline
 * parameters, from the shared measured-data folder (AIConfigurator and Vidur profiles).
 *
 *   node_modules/.bin/tsx scripts/compact-profiles.ts <shared-data-dir>
 *   e.g. node_modules/.bin/tsx scripts/compact-profiles.ts ../shared/data
 *
 * Reads  <dir>/profiles/aiconfigurator/{a100_sxm,h100_sxm}/sglang_0.5.9/{gemm,context_attention,
 *        generation_attention,custom_allreduce}_perf.csv, <dir>/profiles/aiconfigurator/<gpu>/nccl_<v>/nccl_perf.csv
 *        and <dir>/profiles/vidur/compute/{a100,h100}/**\/mlp.csv
 * Writes src/catalog/profiles/<gpu>/*.csv  (downsampled tables, AIC column subset)
 *        src/catalog/profiles/roofline-fit.json (fits per training set: each GPU alone and both)
 *
 * Compaction keeps every m of the GEMM grid (wave/tile steps such as 256 vs 257 live there) and every
 * other k value (plus the largest); attention keeps every batch size and every other isl / KV
 * length (plus the largest); all-reduce every other message size. Everything else is dropped and must
 * be recovered by interpolation (`validate estimator` reports the error on exactly those rows).
 * Every fit uses only the kept rows, so dropped rows are never seen by any fitted parameter.
 * It also writes test/fixtures/kernels/<gpu>/*_heldout.csv: about 300 of the dropped rows per table
 * (every N-th, deterministic), which the tests predict to catch accuracy regressions.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveGpu } from "../src/catalog/index.js";
import { readKernelCsv } from "../src/io/kernel-csv.js";
import type {
  AllreduceParams, AllreduceRow, AttentionParams, AttentionRow, ElementwiseOp, ElementwiseParams, FitStat, GemmKind,
  GemmParams, GemmRow, RooflineFit, RooflineFitSet,
} from "../src/sim/estimator/kernel-profiles.js";
import {
  allreduceModelMs, attentionModelMs, contextWork, elementwiseModelMs, gemmModelMs, gemmVariant, generationWork,
  type GpuPeaks,
} from "../src/sim/estimator/roofline.js";
import { leastSquares } from "./lib/least-squares.js";

const GPUS = ["a100_sxm", "h100_sxm"] as const;
const VIDUR_DIR: Record<string, string> = { a100_sxm: "a100", h100_sxm: "h100" };
const ENGINE_DIR = "sglang_0.5.9";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = join(root, "src/catalog/profiles");

// ---------------------------------------------------------------- compaction

/** Every other value of a sorted list, always keeping the first and the last. */
function everyOther(values: number[]): Set<number> {
  const s = [...new Set(values)].sort((a, b) => a - b);
  return new Set(s.filter((_, i) => i % 2 === 0 || i === s.length - 1));
}

function compactGemm(rows: GemmRow[]): GemmRow[] {
  const out: GemmRow[] = [];
  for (const dtype of [...new Set(rows.map((r) => r.dtype))].sort()) {
    const sub = rows.filter((r) => r.dtype === dtype);
    // Every n, every other k: about half the rows held out, and interpolation runs along one axis,
    // which keeps held-out GEMM error near the tables' own shape-to-shape noise (~5%) for ~2 MB.
    const ns = new Set(sub.map((r) => r.n));
    const ks = everyOther(sub.map((r) => r.k));
    out.push(...sub.filter((r) => ns.has(r.n) && ks.has(r.k)));
  }
  return out;
}

function compactAttention(rows: AttentionRow[], lenOf: (r: AttentionRow) => number): AttentionRow[] {
  const out: AttentionRow[] = [];
  const groups = new Map<string, AttentionRow[]>();
  // Per head shape, so every group keeps its own longest length (its grid's edge).
  for (const r of rows) {
    const key = `${r.attnDtype}/${r.kvDtype}/${r.heads}/${r.kvHeads}/${r.headDim}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const key of [...groups.keys()].sort()) {
    const sub = groups.get(key)!;
    const lens = everyOther(sub.map(lenOf));
    out.push(...sub.filter((r) => lens.has(lenOf(r))));
  }
  return out;
}

function compactAllreduce(rows: AllreduceRow[]): AllreduceRow[] {
  const sizes = everyOther(rows.map((r) => r.messageElems));
  return rows.filter((r) => sizes.has(r.messageElems));
}

const sig5 = (v: number) => Number(v.toPrecision(5));

function writeCsv(path: string, header: string, lines: string[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${header}\n${lines.join("\n")}\n`);
}

// ---------------------------------------------------------------- parameter transforms

const logit = (p: number) => Math.log(p / (1 - p));
const sigm = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Sharpness of the GEMM compute/memory transition, fixed rather than fitted: on one GPU's data it is
 * not identifiable (A100 alone trades it against memory efficiency and drifts to memEff = 1 with a very
 * soft transition, which transfers badly); 2.5 is the value both GPUs' joint data support.
 */
const GEMM_SMOOTH_P = 2.5;

function gemmFromX(x: number[], quant: boolean): GemmParams {
  return {
    launchUs: Math.exp(x[0]),
    computeEff: sigm(x[1]),
    memEff: sigm(x[2]),
    smoothP: GEMM_SMOOTH_P,
    kHalf: Math.exp(x[3]),
    waveAlpha: Math.exp(x[4]),
    perKNs: Math.exp(x[5]),
    splitKMin: Math.exp(x[6]),
    quantLaunchUs: quant ? Math.exp(x[7]) : 0,
    quantMemEff: quant ? sigm(x[8]) : 1,
  };
}
function gemmX0(quant: boolean): number[] {
  const x = [Math.log(3.5), logit(0.8), logit(0.84), Math.log(100), Math.log(0.25), Math.log(1.9), Math.log(3400)];
  return quant ? [...x, Math.log(2), logit(0.7)] : x;
}

/** Prefill fits a wave-quantization exponent (x[6]); decode has none (its work is split over KV). */
function attnFromX(x: number[]): AttentionParams {
  return {
    launchUs: Math.exp(x[0]),
    perSeqHeadUs: Math.exp(x[1]),
    computeEff: sigm(x[2]),
    memEff: sigm(x[3]),
    smoothP: 1 + Math.exp(x[4]),
    parHalf: Math.exp(x[5]),
    waveAlpha: x.length > 6 ? Math.exp(x[6]) : 0,
  };
}
const attnX0 = (decode: boolean) =>
  decode
    ? [Math.log(15), Math.log(0.035), logit(0.5), logit(0.9), Math.log(0.2), Math.log(0.02)]
    : [Math.log(14), Math.log(0.03), logit(0.6), logit(0.6), Math.log(0.1), Math.log(0.01), Math.log(0.3)];

// ---------------------------------------------------------------- generic fitting helper

interface Sample<T> {
  gpu: GpuPeaks;
  gpuId: string;
  row: T;
  latencyMs: number;
}

function fitSamples<T>(
  samples: Sample<T>[],
  x0s: number[][],
  predict: (x: number[], s: Sample<T>) => number,
): { x: number[]; stat: FitStat } {
  const n = samples.length;
  // Each GPU weighs the same in a joint fit, however many rows it has.
  const perGpu = new Map<string, number>();
  for (const s of samples) perGpu.set(s.gpuId, (perGpu.get(s.gpuId) ?? 0) + 1);
  const weights = new Float64Array(n);
  samples.forEach((s, i) => (weights[i] = n / (perGpu.size * perGpu.get(s.gpuId)!)));
  const res = (x: number[], out: Float64Array) => {
    for (let i = 0; i < n; i++) out[i] = Math.log(predict(x, samples[i]) / samples[i].latencyMs);
  };
  let best: { x: number[]; cost: number } | undefined;
  for (const x0 of x0s) {
    const r = leastSquares(res, x0, n, { fScale: 0.1, maxIter: 300, weights });
    if (!best || r.cost < best.cost) best = r;
  }
  const x = best!.x;
  let ape = 0;
  for (const s of samples) ape += Math.abs(predict(x, s) / s.latencyMs - 1);
  return { x, stat: { rows: n, mape: ape / n } };
}

// ---------------------------------------------------------------- data

interface GpuData {
  id: string;
  peaks: GpuPeaks;
  gemm: GemmRow[];
  context: AttentionRow[];
  generation: AttentionRow[];
  allreduce: AllreduceRow[];
  vidur: VidurRow[];
}

interface VidurRow {
  op: ElementwiseOp;
  bytes: number;
  latencyMs: number;
}

function readCsvObjects(path: string): Record<string, string>[] {
  const lines = readFileSync(path, "utf8").split(/\r?\n/).filter((l) => l.trim() !== "");
  const head = lines[0].split(",");
  return lines.slice(1).map((l) => {
    const cells = l.split(",");
    return Object.fromEntries(head.map((h, i) => [h, cells[i]]));
  });
}

function findFiles(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? findFiles(p, name) : e === name ? [p] : [];
  });
}

/** Vidur per-op timings (vLLM kernels, fp16) converted to (bytes moved, ms) per elementwise op. */
function readVidur(dataDir: string, gpuId: string): VidurRow[] {
  const out: VidurRow[] = [];
  for (const file of findFiles(join(dataDir, "profiles/vidur/compute", VIDUR_DIR[gpuId]), "mlp.csv")) {
    for (const r of readCsvObjects(file)) {
      const t = Number(r.num_tokens);
      const tp = Number(r.num_tensor_parallel_workers);
      const h = Number(r.n_embd);
      const heads = Number(r.n_head);
      const kv = Number(r.n_kv_head);
      const inter = Number(r.n_expanded_embd);
      const d = h / heads;
      const ops: [ElementwiseOp, string, number][] = [
        // Vidur's layers call the fused residual-add + RMSNorm kernel: read x and residual, write both.
        ["norm", "input_layernorm", 4 * t * h * 2],
        ["rope", "attn_rope", t * ((heads + kv) / tp) * d * 2 * 2],
        ["act", "mlp_act", 6 * t * (inter / tp)],
        ["add", "add", 3 * t * h * 2],
        ["emb", "emb", 2 * t * h * 2],
      ];
      for (const [op, col, bytes] of ops) {
        const ms = Number(r[`time_stats.${col}.median`]);
        if (Number.isFinite(ms) && ms > 0 && bytes > 0) out.push({ op, bytes, latencyMs: ms });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------- fits

const GEMM_KINDS: [GemmKind, string][] = [["bf16", "bfloat16"], ["fp8", "fp8"], ["fp8_block", "fp8_block"]];

function fitGemm(data: GpuData[], kind: GemmKind, aicDtype: string): { p: GemmParams; stat: FitStat } | undefined {
  const samples: Sample<GemmRow>[] = [];
  for (const g of data) {
    if (kind !== "bf16" && g.peaks.fp8Tflops === null) continue;
    for (const r of g.gemm) if (r.dtype === aicDtype) samples.push({ gpu: g.peaks, gpuId: g.id, row: r, latencyMs: r.latencyMs });
  }
  if (samples.length === 0) return undefined;
  const quant = kind !== "bf16";
  const predict = (x: number[], s: Sample<GemmRow>) =>
    gemmModelMs(gemmFromX(x, quant), s.gpu, gemmVariant(s.gpu, kind), s.row.m, s.row.n, s.row.k);
  const x0 = gemmX0(quant);
  const alt = [...x0];
  alt[2] = logit(0.7);
  const { x, stat } = fitSamples(samples, [x0, alt], predict);
  return { p: gemmFromX(x, quant), stat };
}

function attnPeak(g: GpuPeaks, attnDtype: string): number {
  return attnDtype === "fp8" ? g.fp8Tflops ?? g.bf16Tflops : g.bf16Tflops;
}
const kvBytesOf = (dtype: string) => (dtype === "fp8" ? 1 : 2);

function fitAttention(data: GpuData[], decode: boolean, key: string): { p: AttentionParams; stat: FitStat } | undefined {
  const samples: Sample<AttentionRow>[] = [];
  for (const g of data) {
    for (const r of decode ? g.generation : g.context) {
      if (`${r.attnDtype}/${r.kvDtype}` === key) samples.push({ gpu: g.peaks, gpuId: g.id, row: r, latencyMs: r.latencyMs });
    }
  }
  if (samples.length === 0) return undefined;
  // fp8-KV decode attention is dequantization-bound (roofline.ts `dequantBytesPerSec`).
  const dequantBound = decode && key.endsWith("/fp8");
  const params = (x: number[]): AttentionParams => (dequantBound ? { ...attnFromX(x), dequantBound } : attnFromX(x));
  const predict = (x: number[], s: Sample<AttentionRow>) => {
    const r = s.row;
    const kvB = kvBytesOf(r.kvDtype);
    const w = decode
      ? generationWork(r.batch, r.batch * (r.step + 1), r.heads, r.kvHeads, r.headDim, r.headDim, kvB)
      : contextWork(r.batch, r.isl, r.step, r.heads, r.kvHeads, r.headDim, r.headDim, kvB);
    return attentionModelMs(params(x), s.gpu, w, attnPeak(s.gpu, r.attnDtype));
  };
  const alt = [...attnX0(decode)];
  alt[3] = logit(0.9);
  alt[4] = Math.log(0.2);
  const { x, stat } = fitSamples(samples, [attnX0(decode), alt], predict);
  return { p: params(x), stat };
}

function fitElementwise(data: GpuData[], op: ElementwiseOp): { p: ElementwiseParams; stat: FitStat } {
  const samples: Sample<VidurRow>[] = [];
  for (const g of data) for (const r of g.vidur) if (r.op === op) samples.push({ gpu: g.peaks, gpuId: g.id, row: r, latencyMs: r.latencyMs });
  const from = (x: number[]): ElementwiseParams => ({ launchUs: Math.exp(x[0]), memEff: sigm(x[1]) });
  const { x, stat } = fitSamples(samples, [[Math.log(3), logit(0.5)]], (x, s) => elementwiseModelMs(from(x), s.gpu, s.row.bytes));
  return { p: from(x), stat };
}

function fitAllreduce(data: GpuData[]): { p: AllreduceParams; stat: FitStat } {
  const samples: Sample<AllreduceRow>[] = [];
  for (const g of data) for (const r of g.allreduce) samples.push({ gpu: g.peaks, gpuId: g.id, row: r, latencyMs: r.latencyMs });
  const from = (x: number[]): AllreduceParams => ({ graphLaunchUs: Math.exp(x[0]), eagerLaunchUs: Math.exp(x[1]), busEff: sigm(x[2]) });
  const { x, stat } = fitSamples(samples, [[Math.log(5), Math.log(20), logit(0.7)]], (x, s) =>
    allreduceModelMs(from(x), s.gpu, s.row.numGpus, s.row.messageElems * 2, s.row.backend.includes("graph")));
  return { p: from(x), stat };
}

function fitAll(data: GpuData[]): RooflineFit {
  const stats: Record<string, FitStat> = {};
  const bf16 = fitGemm(data, "bf16", "bfloat16")!;
  stats["gemm/bf16"] = bf16.stat;
  const gemm: RooflineFit["gemm"] = { bf16: bf16.p };
  for (const [kind, aic] of GEMM_KINDS.slice(1)) {
    const f = fitGemm(data, kind, aic);
    if (f) {
      gemm[kind] = f.p;
      stats[`gemm/${kind}`] = f.stat;
    }
  }
  const context: Record<string, AttentionParams> = {};
  const generation: Record<string, AttentionParams> = {};
  for (const [decode, target] of [[false, context], [true, generation]] as const) {
    const keys = new Set<string>();
    for (const g of data) for (const r of decode ? g.generation : g.context) keys.add(`${r.attnDtype}/${r.kvDtype}`);
    for (const key of [...keys].sort()) {
      const f = fitAttention(data, decode, key);
      if (f) {
        target[key] = f.p;
        stats[`${decode ? "generation" : "context"}/${key}`] = f.stat;
      }
    }
  }
  const elementwise = {} as Record<ElementwiseOp, ElementwiseParams>;
  for (const op of ["norm", "rope", "act", "add", "emb"] as const) {
    const f = fitElementwise(data, op);
    elementwise[op] = f.p;
    stats[`elementwise/${op}`] = f.stat;
  }
  const ar = fitAllreduce(data);
  stats.allreduce = ar.stat;
  return { trainedOn: data.map((d) => d.id).sort(), gemm, context, generation, elementwise, allreduce: ar.p, stats };
}

/** Rounds every number in a fit to 6 significant digits for a readable JSON file. */
function rounded<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isInteger(x) ? Number(x.toPrecision(6)) : x)));
}

// ---------------------------------------------------------------- main

function main(): void {
  const dataDir = process.argv[2];
  if (!dataDir) {
    process.stderr.write("usage: tsx scripts/compact-profiles.ts <shared-data-dir>\n");
    process.exit(2);
  }
  const data: GpuData[] = [];
  for (const id of GPUS) {
    const dir = join(dataDir, "profiles/aiconfigurator", id, ENGINE_DIR);
    const read = (name: string) => readKernelCsv(join(dir, name));
    const gemmT = read("gemm_perf.csv");
    const ctxT = read("context_attention_perf.csv");
    const genT = read("generation_attention_perf.csv");
    const arT = read("custom_allreduce_perf.csv");
    if (gemmT.kind !== "gemm" || ctxT.kind !== "context" || genT.kind !== "generation" || arT.kind !== "allreduce") {
      throw new Error(`unexpected table kinds under ${dir}`);
    }
    const gemm = compactGemm(gemmT.rows);
    const context = compactAttention(ctxT.rows, (r) => r.isl);
    const generation = compactAttention(genT.rows, (r) => r.step);
    const allreduce = compactAllreduce(arT.rows.filter((r) => r.dtype === "bfloat16"));
    process.stdout.write(
      `${id}: gemm ${gemm.length}/${gemmT.rows.length}, context ${context.length}/${ctxT.rows.length}, ` +
        `generation ${generation.length}/${genT.rows.length}, allreduce ${allreduce.length}/${arT.rows.length} rows kept\n`,
    );
    const gdir = join(outDir, id);
    writeCsv(join(gdir, "gemm_perf.csv"), "gemm_dtype,m,n,k,latency",
      gemm.map((r) => `${r.dtype},${r.m},${r.n},${r.k},${sig5(r.latencyMs)}`));
    const attnLine = (op: string) => (r: AttentionRow) =>
      `${op},${r.batch},${r.isl},${r.heads},${r.kvHeads},${r.headDim},${r.attnDtype},${r.kvDtype},${r.step},${sig5(r.latencyMs)}`;
    const attnHead = "op_name,batch_size,isl,num_heads,num_key_value_heads,head_dim,attn_dtype,kv_cache_dtype,step,latency";
    writeCsv(join(gdir, "context_attention_perf.csv"), attnHead, context.map(attnLine("context_attention")));
    writeCsv(join(gdir, "generation_attention_perf.csv"), attnHead, generation.map(attnLine("generation_attention")));
    // NCCL all_gather (the logits gather under TP) in half precision, every size (66 rows).
    const ncclDir = readdirSync(join(dataDir, "profiles/aiconfigurator", id)).find((e) => e.startsWith("nccl_"));
    if (ncclDir) {
      const t = readKernelCsv(join(dataDir, "profiles/aiconfigurator", id, ncclDir, "nccl_perf.csv"));
      if (t.kind !== "nccl") throw new Error(`unexpected table kind ${t.kind} in ${ncclDir}`);
      writeCsv(join(gdir, "nccl_perf.csv"), "op_name,nccl_dtype,num_gpus,message_size,latency",
        t.rows.filter((r) => r.op === "all_gather" && r.dtype === "half")
          .map((r) => `${r.op},${r.dtype},${r.numGpus},${r.messageElems},${sig5(r.latencyMs)}`));
    }
    writeCsv(join(gdir, "custom_allreduce_perf.csv"), "allreduce_dtype,num_gpus,message_size,latency,backend",
      allreduce.map((r) => `${r.dtype},${r.numGpus},${r.messageElems},${sig5(r.latencyMs)},${r.backend}`));
    // Held-out fixtures for the tests: every N-th dropped row.
    const fdir = join(root, "test/fixtures/kernels", id);
    const heldOut = <T>(all: T[], kept: T[]) => {
      const keep = new Set(kept);
      const dropped = all.filter((r) => !keep.has(r));
      const step = Math.max(1, Math.ceil(dropped.length / 300));
      return dropped.filter((_, i) => i % step === 0);
    };
    writeCsv(join(fdir, "gemm_perf_heldout.csv"), "gemm_dtype,m,n,k,latency",
      heldOut(gemmT.rows, gemm).map((r) => `${r.dtype},${r.m},${r.n},${r.k},${r.latencyMs}`));
    const attnFull = (op: string) => (r: AttentionRow) =>
      `${op},${r.batch},${r.isl},${r.heads},${r.kvHeads},${r.headDim},${r.attnDtype},${r.kvDtype},${r.step},${r.latencyMs}`;
    writeCsv(join(fdir, "context_attention_perf_heldout.csv"), attnHead,
      heldOut(ctxT.rows, context).map(attnFull("context_attention")));
    writeCsv(join(fdir, "generation_attention_perf_heldout.csv"), attnHead,
      heldOut(genT.rows, generation).map(attnFull("generation_attention")));

    // Fit on exactly what is bundled (rounded latencies included).
    const round = <T extends { latencyMs: number }>(rows: T[]) => rows.map((r) => ({ ...r, latencyMs: sig5(r.latencyMs) }));
    data.push({
      id, peaks: resolveGpu(id), gemm: round(gemm), context: round(context), generation: round(generation),
      allreduce: round(allreduce), vidur: readVidur(dataDir, id),
    });
  }

  const fits: Record<string, RooflineFit> = {};
  const sets: GpuData[][] = [...data.map((d) => [d]), data];
  for (const set of sets) {
    const key = set.map((d) => d.id).sort().join("+");
    const t0 = Date.now();
    fits[key] = rounded(fitAll(set));
    const s = fits[key].stats!;
    process.stdout.write(
      `fit ${key} (${((Date.now() - t0) / 1000).toFixed(1)} s): ` +
        Object.entries(s).map(([k, v]) => `${k} ${(v.mape * 100).toFixed(1)}%`).join(", ") + "\n",
    );
  }
  const out: RooflineFitSet = {
    source:
      "Fitted by scripts/compact-profiles.ts on the bundled (compacted) AIConfigurator SGLang 0.5.9 kernel tables " +
      "(ai-dynamo/aiconfigurator @095f58a) and Vidur per-op profiles (microsoft/vidur @7d47513); see NOTICE.",
    profiledGpus: [...GPUS],
    fits,
  };
  writeFileSync(join(outDir, "roofline-fit.json"), `${JSON.stringify(out, null, 1)}\n`);
  process.stdout.write(`wrote ${outDir}\n`);
}

main();
