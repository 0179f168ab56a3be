import {
  engineKindSchema, evictionPolicySchema, kvDtypeSchema, prefetchPolicySchema, routerPolicySchema,
  schemaRefSchema, weightDtypeSchema, writePolicySchema,
} from "./common.schema.js";

/**
 * A tier's bandwidth, GB/s: 0.01 (a slow network disk) to 100,000 (beyond any link). Transfer times
 * are bytes / bandwidth, so a bandwidth of 1e-300 would put events past the end of time.
 */
const BANDWIDTH = {
  type: "number", minimum: 0.01, maximum: 100_000,
  description: "GB/s between 0.01 and 100,000.",
} as const;

/** Largest L2 tier, GB per replica: 32 TB, above the DRAM of any server (8-GPU nodes carry 1-4 TB). */
export const L2_MAX_GB = 32_768;
/** Largest L3 tier, GB: 10 PB, above any deployed KV store (Mooncake store, 3FS clusters are TB to low PB). */
export const L3_MAX_GB = 10_000_000;

/**
 * Engine releases whose defaults and behaviour the simulator models (docs/engine-versions.md lists
 * what changes between them). Post releases (".postN") keep their release's defaults. The newest of
 * each list is the default when `engine.version` is absent.
 */
export const SGLANG_VERSIONS = ["0.5.1", "0.5.1.post1", "0.5.6", "0.5.6.post1", "0.5.6.post2", "0.5.8", "0.5.8.post1", "0.5.9"] as const;
export const VLLM_VERSIONS = ["0.10.0", "0.10.1", "0.10.1.1", "0.10.2", "0.11.0", "0.11.1", "0.11.2", "0.12.0"] as const;

/**
 * Engine knobs. Names are SGLang's; for vLLM `maxRunningRequests` is max_num_seqs,
 * `chunkedPrefillSize` is max_num_batched_tokens, `memFractionStatic` is gpu_memory_utilization
 * and `pageSize` is block_size. Absent = the engine's own default for the GPU (resolved in code).
 */
export const engineSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    kind: { ...engineKindSchema, default: "sglang" },
    version: {
      type: "string",
      enum: [...SGLANG_VERSIONS, ...VLLM_VERSIONS],
      description: "Engine release (SGLang e.g. 0.5.6.post2, vLLM e.g. 0.12.0); absent = the newest modelled release of the engine.",
    },
    schedulePolicy: { type: "string", enum: ["fcfs", "lpm"] },
    maxRunningRequests: { type: "integer", minimum: 1 },
    chunkedPrefillSize: { type: "integer", minimum: 16, description: "Tokens per prefill chunk (SGLang) or per step (vLLM)." },
    maxPrefillTokens: { type: "integer", minimum: 16 },
    memFractionStatic: { type: "number", exclusiveMinimum: 0, maximum: 1 },
    pageSize: { type: "integer", minimum: 1 },
    enablePrefixCaching: { type: "boolean" },
    enableMixedChunk: {
      type: "boolean",
      description: "SGLang --enable-mixed-chunk: a prefill batch also decodes the running requests (default false; vLLM always mixes).",
    },
    schedConservativeness: { type: "number", minimum: 0.01, maximum: 100, description: "SGLang schedule_conservativeness (default 1); between 0.01 and 100." },
  },
} as const;

/**
 * A router's periodic work, seconds (sgl-router defaults: 10 s load polls, 120 s tree eviction,
 * 5 s bucket re-cuts). At least 0.01 s: the simulation handles one event per period, so an
 * interval of nanoseconds would take billions of events for one simulated minute.
 */
const ROUTER_INTERVAL = {
  type: "number", minimum: 0.01, maximum: 86_400,
  description: "Seconds between runs; between 0.01 and 86,400 (sgl-router's defaults are seconds: polls 10, eviction 120, bucket 5).",
} as const;

export const routerSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    policy: { ...routerPolicySchema, default: "cache_aware" },
    cacheThreshold: { type: "number", minimum: 0, maximum: 1 },
    balanceAbsThreshold: { type: "number", minimum: 0 },
    balanceRelThreshold: { type: "number", minimum: 1 },
    evictionIntervalS: ROUTER_INTERVAL,
    maxTreeSize: { type: "integer", minimum: 1 },
    loadPollIntervalS: ROUTER_INTERVAL,
    bucketAdjustIntervalS: ROUTER_INTERVAL,
  },
} as const;

export const l2TierSchema = {
  type: "object",
  additionalProperties: false,
  required: ["capacityGb"],
  properties: {
    capacityGb: {
      type: "number", exclusiveMinimum: 0, maximum: L2_MAX_GB,
      description: "Host memory per replica, GB; at most 32,768 (no server holds more DRAM; the GPU's host memory per node bounds it further).",
    },
    media: { type: "string", default: "host_dram" },
    evictionPolicy: evictionPolicySchema,
    readGBps: BANDWIDTH,
    writeGBps: BANDWIDTH,
  },
} as const;

export const l3TierSchema = {
  type: "object",
  additionalProperties: false,
  required: ["media", "capacityGb"],
  properties: {
    media: { type: "string" },
    capacityGb: {
      type: "number", exclusiveMinimum: 0, maximum: L3_MAX_GB,
      description: "Whole pool if shared, else per replica, GB; at most 10,000,000 (10 PB, beyond any KV store deployed).",
    },
    shared: { type: "boolean", default: true },
    readGBps: { ...BANDWIDTH, description: "Whole pool if shared (every replica's transfers queue on it), else per replica; GB/s between 0.01 and 100,000." },
    writeGBps: { ...BANDWIDTH, description: "Whole pool if shared, else per replica; GB/s between 0.01 and 100,000." },
    latencyUs: { type: "number", minimum: 0, maximum: 10_000_000, description: "Per transfer batch, µs; at most 10 s." },
  },
} as const;

export const kvCacheSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    l2: l2TierSchema,
    l3: l3TierSchema,
    writePolicy: { ...writePolicySchema, default: "write_through" },
    prefetchPolicy: { ...prefetchPolicySchema, default: "best_effort" },
    prefetchThresholdTokens: { type: "integer", minimum: 0, maximum: 10_000_000, default: 256 },
    prefetchTimeoutBaseS: { type: "number", minimum: 0, maximum: 3600, default: 1.0, description: "Seconds; at most an hour." },
    prefetchTimeoutPerKiTokenS: { type: "number", minimum: 0, maximum: 3600, default: 0.25, description: "Seconds per 1,024 tokens; at most an hour." },
    evictionPolicy: { ...evictionPolicySchema, default: "lru" },
  },
} as const;

/** One configuration: the unit a simulation runs. */
export const deploymentSchema = {
  type: "object",
  additionalProperties: false,
  required: ["model", "gpu"],
  properties: {
    $schema: schemaRefSchema,
    model: { type: "string", minLength: 1, description: "Catalog id, Hugging Face name or path to a config.json." },
    gpu: { type: "string", minLength: 1 },
    tp: { type: "integer", minimum: 1, maximum: 64, default: 1 },
    weights: { ...weightDtypeSchema, default: "bf16" },
    kvDtype: { ...kvDtypeSchema, default: "bf16" },
    engine: { ...engineSchema, default: {} },
    replicas: { type: "integer", minimum: 1, maximum: 4096, default: 1 },
    router: { ...routerSchema, default: {} },
    kvCache: { ...kvCacheSchema, default: {} },
  },
} as const;
