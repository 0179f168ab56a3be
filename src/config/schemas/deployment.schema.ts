import {
  engineKindSchema, evictionPolicySchema, kvDtypeSchema, prefetchPolicySchema, routerPolicySchema,
  weightDtypeSchema, writePolicySchema,
} from "./common.schema.js";

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
    schedulePolicy: { type: "string", enum: ["fcfs", "lpm"] },
    maxRunningRequests: { type: "integer", minimum: 1 },
    chunkedPrefillSize: { type: "integer", minimum: 16, description: "Tokens per prefill chunk (SGLang) or per step (vLLM)." },
    maxPrefillTokens: { type: "integer", minimum: 16 },
    memFractionStatic: { type: "number", exclusiveMinimum: 0, maximum: 1 },
    pageSize: { type: "integer", minimum: 1 },
    enablePrefixCaching: { type: "boolean" },
    schedConservativeness: { type: "number", exclusiveMinimum: 0 },
  },
} as const;

export const routerSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    policy: { ...routerPolicySchema, default: "cache_aware" },
    cacheThreshold: { type: "number", minimum: 0, maximum: 1 },
    balanceAbsThreshold: { type: "number", minimum: 0 },
    balanceRelThreshold: { type: "number", minimum: 1 },
    evictionIntervalS: { type: "number", exclusiveMinimum: 0 },
    maxTreeSize: { type: "integer", minimum: 1 },
    loadPollIntervalS: { type: "number", exclusiveMinimum: 0 },
    bucketAdjustIntervalS: { type: "number", exclusiveMinimum: 0 },
  },
} as const;

export const l2TierSchema = {
  type: "object",
  additionalProperties: false,
  required: ["capacityGb"],
  properties: {
    capacityGb: { type: "number", exclusiveMinimum: 0, description: "Host memory per replica." },
    media: { type: "string", default: "host_dram" },
    evictionPolicy: evictionPolicySchema,
    readGBps: { type: "number", exclusiveMinimum: 0 },
    writeGBps: { type: "number", exclusiveMinimum: 0 },
  },
} as const;

export const l3TierSchema = {
  type: "object",
  additionalProperties: false,
  required: ["media", "capacityGb"],
  properties: {
    media: { type: "string" },
    capacityGb: { type: "number", exclusiveMinimum: 0, description: "Whole pool if shared, else per replica." },
    shared: { type: "boolean", default: true },
    readGBps: { type: "number", exclusiveMinimum: 0, description: "Whole pool if shared (every replica's transfers queue on it), else per replica." },
    writeGBps: { type: "number", exclusiveMinimum: 0, description: "Whole pool if shared, else per replica." },
    latencyUs: { type: "number", minimum: 0 },
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
    prefetchThresholdTokens: { type: "integer", minimum: 0, default: 256 },
    prefetchTimeoutBaseS: { type: "number", minimum: 0, default: 1.0 },
    prefetchTimeoutPerKiTokenS: { type: "number", minimum: 0, default: 0.25 },
    evictionPolicy: { ...evictionPolicySchema, default: "lru" },
  },
} as const;

/** One configuration: the unit a simulation runs. */
export const deploymentSchema = {
  type: "object",
  additionalProperties: false,
  required: ["model", "gpu"],
  properties: {
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
