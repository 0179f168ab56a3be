/**
 * `estimate`: latency of one forward step of a batch, with the per-operator breakdown.
 * `--batch "0:1024,4096:1"` = a 1024-token prefill with no cached prefix and a decode at 4096 tokens
 * of context; `cacheLen:inputLenxN` repeats an entry N times ("4096:1x64").
 */
import { resolveGpu, resolveModel } from "../../catalog/index.js";
import { kernelTablesFor, loadRooflineFits } from "../../catalog/profiles.js";
import type { EngineKind, KvDtype, WeightDtype } from "../../config/types.js";
import { UsageError } from "../../errors.js";
import { newTable } from "../../report/table.js";
import { createEstimator } from "../../sim/estimator/estimator.js";
import type { Backend } from "../../sim/estimator/kernel-model.js";
import type { BatchEntry } from "../../sim/estimator/types.js";
import { engineRelease } from "../../sim/deployment/engine-release.js";
import { NEWEST_ENGINE_VERSION } from "../../sim/deployment/engine-version.js";
import { planMemory, GIB } from "../../sim/model/memory.js";
import type { CliIo } from "../io.js";

interface Options {
  model: string;
  gpu: string;
  tp?: number;
  weights?: WeightDtype;
  kvDtype?: KvDtype;
  engine?: EngineKind;
  backend?: Backend;
  batch: string;
  json?: boolean;
}

/** The most requests one estimated step may hold (a real engine's running batch is far smaller). */
export const MAX_BATCH_REQUESTS = 100_000;

/** The longest request a batch entry may describe: the model's context window. */
export interface BatchContextLimit {
  /** Longest prompt + answer the model serves, tokens (`contextLengthTokens`). */
  contextLengthTokens: number;
  modelId: string;
}

const n = (x: number): string => x.toLocaleString("en-US");

/**
 * Parses `cacheLen:inputLen[xN],...`; throws UsageError naming the bad item and the limit: at most
 * `MAX_BATCH_REQUESTS` requests, and with `limit`, no request (cacheLen + inputLen) longer than the
 * model's context (SGLang's tokenizer manager refuses longer requests).
 */
export function parseBatchArg(text: string, limit?: BatchContextLimit): BatchEntry[] {
  const items = text.split(",").map((s) => s.trim());
  if (text.trim() === "" || items.every((s) => s === "")) {
    throw new UsageError('--batch: empty batch; expected cacheLen:inputLen entries, e.g. "0:1024,4096:1"');
  }
  const out: BatchEntry[] = [];
  items.forEach((item, i) => {
    const m = /^(-?\d+(?:\.\d+)?):(-?\d+(?:\.\d+)?)(?:[xX](\d+))?$/.exec(item);
    if (!m) {
      throw new UsageError(
        `--batch: entry ${i + 1} "${item}" is not cacheLen:inputLen; expected two non-negative integers such as "4096:1" ` +
          '(optionally "4096:1x64" for 64 such requests)',
      );
    }
    const cacheLen = Number(m[1]);
    const inputLen = Number(m[2]);
    const times = m[3] === undefined ? 1 : Number(m[3]);
    if (!Number.isInteger(cacheLen) || cacheLen < 0) {
      throw new UsageError(`--batch: entry ${i + 1} "${item}": cacheLen must be a non-negative integer, got ${m[1]}`);
    }
    if (!Number.isInteger(inputLen) || inputLen < 1) {
      throw new UsageError(`--batch: entry ${i + 1} "${item}": inputLen must be an integer >= 1 (1 = a decode), got ${m[2]}`);
    }
    if (times < 1) throw new UsageError(`--batch: entry ${i + 1} "${item}": repeat count must be >= 1`);
    if (limit && cacheLen + inputLen > limit.contextLengthTokens) {
      throw new UsageError(
        `--batch: entry ${i + 1} "${item}": a request of ${n(cacheLen + inputLen)} tokens (cacheLen + inputLen) exceeds ${limit.modelId}'s ` +
          `context length; expected cacheLen + inputLen <= ${n(limit.contextLengthTokens)}`,
      );
    }
    if (out.length + times > MAX_BATCH_REQUESTS) {
      throw new UsageError(
        `--batch: more than ${n(MAX_BATCH_REQUESTS)} requests (entry ${i + 1} "${item}" brings the batch to ${n(out.length + times)}); ` +
          `expected at most ${n(MAX_BATCH_REQUESTS)} requests in one step`,
      );
    }
    for (let r = 0; r < times; r++) out.push({ cacheLen, inputLen });
  });
  return out;
}

export async function estimateCommand(opts: Options, io: CliIo): Promise<void> {
  const model = resolveModel(opts.model);
  const batch = parseBatchArg(opts.batch, { contextLengthTokens: model.contextLengthTokens, modelId: model.id });
  const gpu = resolveGpu(opts.gpu);
  const tp = opts.tp ?? 1;
  const weights = opts.weights ?? "bf16";
  const kvDtype = opts.kvDtype ?? "bf16";
  const engine = opts.engine ?? "sglang";
  const backend = opts.backend ?? "auto";
  if (model.numAttentionHeads % tp !== 0) {
    throw new UsageError(`--tp: tp=${tp} does not divide the ${model.numAttentionHeads} attention heads of ${model.id}`);
  }
  if (tp > gpu.gpusPerNode) {
    throw new UsageError(`--tp: tp=${tp} spans more than one ${gpu.id} node (${gpu.gpusPerNode} GPUs); expected tp <= ${gpu.gpusPerNode}`);
  }
  const tokens = batch.reduce((s, e) => s + e.inputLen, 0);
  // The newest modelled release's defaults and step behaviour (CUDA-graph limit, CPU overlap).
  const rel = engineRelease(engine, NEWEST_ENGINE_VERSION[engine], gpu, tp);
  const mem = planMemory({
    model, gpu, tp, weights, kvDtype, engine, memFractionStatic: rel.memFraction,
    maxBatchTokens: Math.max(tokens, 8192), pageSize: 1,
  });
  if (!mem.fits) {
    throw new UsageError(
      `${model.id} does not fit: ${mem.reason}; expected a larger --tp, smaller --weights (fp8, int4) or a GPU with more memory`,
    );
  }
  const kvTokens = batch.reduce((s, e) => s + e.cacheLen + e.inputLen, 0);
  if (kvTokens > mem.kvPoolTokens) {
    io.err(
      `hisim-tune: warning: the batch holds ${kvTokens} KV tokens but the ${gpu.id} KV pool at tp=${tp} holds ` +
        `${mem.kvPoolTokens}; a real engine could not run this step at once\n`,
    );
  }

  const est = createEstimator({
    model, gpu, tp, weights, kvDtype, engine, backend, ...kernelTablesFor(gpu), fits: loadRooflineFits(),
    cudaGraphMaxBs: rel.cudaGraphMaxBs, piecewiseDecodeGraph: rel.piecewiseDecodeGraph, cpuOverlap: rel.cpuOverlap,
  });
  const r = est.estimateDetailed(batch);

  if (opts.json) {
    io.out(`${JSON.stringify({
      latencyMs: r.latencyMs,
      breakdown: r.breakdown,
      model: model.id, gpu: gpu.id, tp, weights, kvDtype, engine, backend, rooflineFit: est.kernels.fitKey,
      linearGemm: est.plan.linearKind,
      batch: {
        requests: batch.length, tokens: r.tokens, logitRows: r.logitRows, decode: r.decodeCount, prefill: r.prefillCount,
        kvTokens, cudaGraph: r.graph,
      },
      memory: { weightGibPerGpu: mem.weightBytesPerGpu / GIB, kvPoolTokens: mem.kvPoolTokens },
      ops: r.ops.map((o) => ({
        name: o.name, class: o.cls, count: o.count, tokens: o.tokens, perOpMs: o.perOpMs, totalMs: o.totalMs,
        flops: o.flops, bytes: o.bytes, source: o.source,
      })),
    }, null, 2)}\n`);
    return;
  }

  const f3 = (x: number) => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(3) : x.toFixed(4));
  io.out(
    `${model.id} on ${gpu.id} x${tp} (weights ${weights} -> ${est.plan.linearKind} GEMMs, KV ${kvDtype}), ${engine}, ` +
      `backend ${backend} (roofline fit "${est.kernels.fitKey}")\n` +
      `batch: ${batch.length} requests = ${r.prefillCount} prefill + ${r.decodeCount} decode; ${r.tokens} tokens, ` +
      `${r.logitRows} logit rows, ${kvTokens} KV tokens${r.graph ? (r.prefillCount === 0 ? "; decode-only step (CUDA graph)" : "; captured in CUDA-graph pieces") : ""}\n` +
      `weights ${(mem.weightBytesPerGpu / GIB).toFixed(1)} GiB per GPU; KV pool ${mem.kvPoolTokens} tokens\n`,
  );
  const t = newTable(
    ["operator", "class", "x", "tokens", "ms each", "ms total", "share", "TFLOP", "GB", "source"],
    ["left", "left", "right", "right", "right", "right", "right", "right", "right", "left"],
  );
  for (const o of r.ops) {
    t.push([o.name, o.cls, o.count, o.tokens, f3(o.perOpMs), f3(o.totalMs), `${((o.totalMs / r.latencyMs) * 100).toFixed(1)}%`,
      (o.flops / 1e12).toFixed(3), (o.bytes / 1e9).toFixed(3), o.source]);
  }
  io.out(`${t.toString()}\n`);
  const b = r.breakdown;
  const s = newTable(["gemm ms", "attention ms", "comm ms", "other ms", "latency ms"], ["right", "right", "right", "right", "right"]);
  s.push([f3(b.gemmMs), f3(b.attentionMs), f3(b.commMs), f3(b.otherMs), f3(r.latencyMs)]);
  io.out(`${s.toString()}\n`);
}
