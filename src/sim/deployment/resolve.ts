/**
 * Turns a validated deployment into everything the simulator needs, with every default resolved the
 * way the release named by `engine.version` resolves it (`engine-release.ts`: SGLang
 * `python/sglang/srt/server_args.py` memory rule, chunked prefill and CUDA-graph defaults; vLLM
 * `vllm/engine/arg_utils.py` token budget and max_num_seqs) and the memory plan done.
 */
import type { Deployment, GpuSpec, KvMediaSpec, ModelSpec } from "../../config/types.js";
import { kvBytesPerTokenPerGpu, kvBytesPerTokenPerReplica, planMemory, type MemoryPlan } from "../model/memory.js";
import { clusterCost, type PriceTable } from "./cost.js";
import { engineRelease, type CpuOverlap } from "./engine-release.js";
import { FRONT_END_COSTS, type FrontEndCosts } from "./front-end-costs.js";
import { NEWEST_ENGINE_VERSION } from "./engine-version.js";

export interface ResolvedEngine {
  kind: "sglang" | "vllm";
  /** The release modelled: `engine.version`, or the newest modelled release of the engine. */
  version: string;
  schedulePolicy: "fcfs" | "lpm";
  /** SGLang max_running_requests / vLLM max_num_seqs. */
  maxRunningRequests: number;
  /** SGLang chunked_prefill_size / vLLM max_num_batched_tokens. */
  chunkedPrefillSize: number;
  /** SGLang max_prefill_tokens (vLLM: same as chunkedPrefillSize). */
  maxPrefillTokens: number;
  memFractionStatic: number;
  pageSize: number;
  enablePrefixCaching: boolean;
  schedConservativeness: number;
  /** SGLang --enable-mixed-chunk: running requests decode in the prefill batches (vLLM: always). */
  enableMixedChunk: boolean;
  /** Largest decode batch (SGLang) / step in tokens (vLLM) that runs as a CUDA graph; larger ones run eagerly. */
  cudaGraphMaxBs: number;
  /** vLLM 0.10.x: decode graphs are piecewise, attention launched eagerly in every layer. */
  piecewiseDecodeGraph: boolean;
  /** SGLang retract_decode frees until this many tokens per remaining request are available. */
  retractFreeTokensPerReq: number;
  /** Whether the engine's per-step CPU work overlaps the GPU step (SGLang) or runs between steps (vLLM). */
  cpuOverlap: CpuOverlap;
  /** CPU costs of the server front end (tokenization, streaming). */
  frontEnd: FrontEndCosts;
}

export interface ResolvedTier {
  media: string;
  capacityGb: number;
  /** Bandwidth of one replica's transfers into the tier above (L2: all TP ranks together). */
  readGBps: number;
  writeGBps: number;
  latencyUs: number;
}

export interface ResolvedKvCache {
  l2?: ResolvedTier & { evictionPolicy: "lru" | "lfu" };
  l3?: ResolvedTier & { shared: boolean };
  writePolicy: "write_through" | "write_through_selective" | "write_back";
  prefetchPolicy: "best_effort" | "wait_complete" | "timeout";
  prefetchThresholdTokens: number;
  prefetchTimeoutBaseS: number;
  prefetchTimeoutPerKiTokenS: number;
  evictionPolicy: "lru" | "lfu";
}

export interface ResolvedDeployment {
  deployment: Deployment;
  model: ModelSpec;
  /**
   * fp8 GEMM kind of a quantized checkpoint (per-tensor "fp8" or block "fp8_block"), when known from
   * the checkpoint or a measurement; absent = the model family's official fp8 checkpoint.
   */
  fp8Gemm?: "fp8" | "fp8_block";
  gpu: GpuSpec;
  tp: number;
  replicas: number;
  engine: ResolvedEngine;
  kvCache: ResolvedKvCache;
  memory: MemoryPlan;
  kvBytesPerTokenPerGpu: number;
  /** KV bytes of one token across the TP group (what L2/L3 store). */
  kvBytesPerTokenPerReplica: number;
  /** GPUs + tiers, whole cluster, under `pricesName`. */
  costUsdPerHour: number;
  /** The price list the cost comes from. */
  pricesName: string;
}

export function resolveEngine(d: Deployment, model: ModelSpec, gpu: GpuSpec): ResolvedEngine {
  const e = d.engine;
  const kind = e.kind ?? "sglang";
  const version = e.version ?? NEWEST_ENGINE_VERSION[kind];
  const rel = engineRelease(kind, version, gpu, d.tp);
  const behaviour = {
    cudaGraphMaxBs: rel.cudaGraphMaxBs,
    piecewiseDecodeGraph: rel.piecewiseDecodeGraph,
    retractFreeTokensPerReq: rel.retractFreeTokensPerReq,
    cpuOverlap: rel.cpuOverlap,
    frontEnd: { ...FRONT_END_COSTS },
  };
  if (kind === "vllm") {
    const chunk = e.chunkedPrefillSize ?? rel.chunkedPrefillSize;
    return {
      kind,
      version,
      schedulePolicy: "fcfs",
      maxRunningRequests: e.maxRunningRequests ?? rel.maxRunningRequests!,
      chunkedPrefillSize: chunk,
      maxPrefillTokens: chunk,
      memFractionStatic: e.memFractionStatic ?? rel.memFraction,
      pageSize: e.pageSize ?? 16,
      enablePrefixCaching: e.enablePrefixCaching ?? true,
      schedConservativeness: 1,
      enableMixedChunk: true,
      ...behaviour,
    };
  }
  const chunk = e.chunkedPrefillSize ?? rel.chunkedPrefillSize;
  return {
    kind,
    version,
    schedulePolicy: e.schedulePolicy ?? "fcfs",
    // Filled in below from the KV pool when absent (the request-pool size rule).
    maxRunningRequests: e.maxRunningRequests ?? 0,
    chunkedPrefillSize: chunk,
    maxPrefillTokens: e.maxPrefillTokens ?? Math.max(16384, chunk),
    memFractionStatic: e.memFractionStatic ?? rel.memFraction,
    pageSize: e.pageSize ?? 1,
    enablePrefixCaching: e.enablePrefixCaching ?? true,
    schedConservativeness: e.schedConservativeness ?? 1,
    enableMixedChunk: e.enableMixedChunk ?? false,
    ...behaviour,
  };
}

/** Looks a KV medium up by id (the catalog, passed in to keep this module pure). */
export type MediaLookup = (id: string) => KvMediaSpec;

/**
 * Resolves a deployment against its model, GPU, the media catalog and a price list.
 * L2 bandwidth is per GPU link (min of the host medium and PCIe) times the TP ranks, which copy
 * their shards in parallel; L3 bandwidth is the medium's per-node figure.
 */
export function resolveDeployment(d: Deployment, model: ModelSpec, gpu: GpuSpec, media: MediaLookup, prices: PriceTable): ResolvedDeployment {
  const engine = resolveEngine(d, model, gpu);
  const memory = planMemory({
    model, gpu, tp: d.tp, weights: d.weights, kvDtype: d.kvDtype, engine: engine.kind,
    memFractionStatic: engine.memFractionStatic, maxBatchTokens: engine.chunkedPrefillSize, pageSize: 1,
  });
  if (engine.kind === "sglang" && engine.maxRunningRequests === 0) {
    // ModelRunner.init_memory_pool: the request pool holds clamp(tokens / context x 512, 2048, 4096)
    // requests, and max_running_requests is at most half the KV tokens (tp_worker / model_runner).
    const pool = memory.kvPoolTokens;
    const reqPool = Math.min(Math.max(Math.floor((pool / model.maxContextTokens) * 512), 2048), 4096);
    engine.maxRunningRequests = Math.max(1, Math.min(Math.floor(pool / 2), reqPool));
  }
  const kv = d.kvCache;
  let l2: ResolvedKvCache["l2"];
  if (kv.l2) {
    const m = media(kv.l2.media ?? "host_dram");
    const perGpu = (bw: number) => Math.min(bw / d.tp, gpu.pcieGBps) * d.tp;
    l2 = {
      media: m.id,
      capacityGb: kv.l2.capacityGb,
      readGBps: kv.l2.readGBps ?? perGpu(m.readGBps),
      writeGBps: kv.l2.writeGBps ?? perGpu(m.writeGBps),
      latencyUs: m.latencyUs,
      evictionPolicy: kv.l2.evictionPolicy ?? kv.evictionPolicy ?? "lru",
    };
  }
  let l3: ResolvedKvCache["l3"];
  if (kv.l3) {
    const m = media(kv.l3.media);
    l3 = {
      media: m.id,
      capacityGb: kv.l3.capacityGb,
      readGBps: kv.l3.readGBps ?? m.readGBps,
      writeGBps: kv.l3.writeGBps ?? m.writeGBps,
      latencyUs: kv.l3.latencyUs ?? m.latencyUs,
      shared: kv.l3.shared ?? true,
    };
  }
  const replicas = d.replicas;
  const cost = clusterCost({ gpu: gpu.id, tp: d.tp, replicas, l2, l3 }, prices);
  return {
    deployment: d,
    model,
    gpu,
    tp: d.tp,
    replicas,
    engine,
    kvCache: {
      l2,
      l3,
      writePolicy: kv.writePolicy ?? "write_through",
      prefetchPolicy: kv.prefetchPolicy ?? "best_effort",
      prefetchThresholdTokens: kv.prefetchThresholdTokens ?? 256,
      prefetchTimeoutBaseS: kv.prefetchTimeoutBaseS ?? 1,
      prefetchTimeoutPerKiTokenS: kv.prefetchTimeoutPerKiTokenS ?? 0.25,
      evictionPolicy: kv.evictionPolicy ?? "lru",
    },
    memory,
    kvBytesPerTokenPerGpu: kvBytesPerTokenPerGpu(model, d.kvDtype, d.tp),
    kvBytesPerTokenPerReplica: kvBytesPerTokenPerReplica(model, d.kvDtype, d.tp),
    costUsdPerHour: cost.totalUsdPerHour,
    pricesName: prices.name,
  };
}
