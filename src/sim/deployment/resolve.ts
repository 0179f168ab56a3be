/**
 * Turns a validated deployment into everything the simulator needs, with every default resolved the
 * way the real engines resolve it (SGLang `python/sglang/srt/server_args.py`, `ServerArgs`
 * `_handle_gpu_memory_settings`: chunked prefill size, mem_fraction_static by GPU memory; vLLM
 * `vllm/engine/arg_utils.py`, `EngineArgs._set_default_args`: token budget and max_num_seqs) and
 * the memory plan done.
 */
import type { Deployment, GpuSpec, KvMediaSpec, ModelSpec } from "../../config/types.js";
import { NEWEST_ENGINE_VERSION } from "./engine-version.js";
import { clusterCost, type PriceTable } from "./cost.js";
import { kvBytesPerTokenPerGpu, kvBytesPerTokenPerReplica, planMemory, defaultMemFraction, type MemoryPlan } from "../model/memory.js";

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

/** SGLang's chunked_prefill_size default by GPU memory (server_args). */
export function sglangDefaultChunk(hbmGb: number): number {
  if (hbmGb < 35) return 2048;
  if (hbmGb < 60) return 4096;
  if (hbmGb < 160) return 8192;
  return 16384;
}

/** vLLM V1 server defaults: large GPUs (>= 70 GiB, not A100) get 8192 tokens / 1024 seqs. */
function vllmDefaults(gpu: GpuSpec): { tokens: number; seqs: number } {
  return gpu.hbmGb >= 70 && gpu.id !== "a100_sxm" ? { tokens: 8192, seqs: 1024 } : { tokens: 2048, seqs: 256 };
}

export function resolveEngine(d: Deployment, model: ModelSpec, gpu: GpuSpec): ResolvedEngine {
  const e = d.engine;
  const kind = e.kind ?? "sglang";
  if (kind === "vllm") {
    const v = vllmDefaults(gpu);
    const chunk = e.chunkedPrefillSize ?? v.tokens;
    return {
      kind,
      version: e.version ?? NEWEST_ENGINE_VERSION.vllm,
      schedulePolicy: "fcfs",
      maxRunningRequests: e.maxRunningRequests ?? v.seqs,
      chunkedPrefillSize: chunk,
      maxPrefillTokens: chunk,
      memFractionStatic: e.memFractionStatic ?? defaultMemFraction(gpu, d.tp, "vllm"),
      pageSize: e.pageSize ?? 16,
      enablePrefixCaching: e.enablePrefixCaching ?? true,
      schedConservativeness: 1,
    };
  }
  const chunk = e.chunkedPrefillSize ?? sglangDefaultChunk(gpu.hbmGb);
  const frac = e.memFractionStatic ?? defaultMemFraction(gpu, d.tp, "sglang");
  return {
    kind,
    version: e.version ?? NEWEST_ENGINE_VERSION.sglang,
    schedulePolicy: e.schedulePolicy ?? "fcfs",
    // Filled in below from the KV pool when absent (the request-pool size rule).
    maxRunningRequests: e.maxRunningRequests ?? 0,
    chunkedPrefillSize: chunk,
    maxPrefillTokens: e.maxPrefillTokens ?? Math.max(16384, chunk),
    memFractionStatic: frac,
    pageSize: e.pageSize ?? 1,
    enablePrefixCaching: e.enablePrefixCaching ?? true,
    schedConservativeness: e.schedConservativeness ?? 1,
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
    const pool = memory.kvPoolTokens;
    engine.maxRunningRequests = Math.min(Math.max(Math.floor((pool / model.maxContextTokens) * 512), 2048), 4096);
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
