/**
 * The names a search-space constraint may use (`tp`, `replicas`, `gpu`, `usdPerHour`...), their
 * types, and their values for one deployment. A name whose value is not known yet (stage 1 has no
 * replica count; an engine default left unresolved) is `undefined` in the scope, and constraints
 * that read it are *unknown*, which counts as satisfied.
 */
import { resolveGpu } from "../../catalog/index.js";
import {
  engineKindSchema, evictionPolicySchema, kvDtypeSchema, prefetchPolicySchema, routerPolicySchema,
  weightDtypeSchema, writePolicySchema,
} from "../../config/schemas/common.schema.js";
import type { Deployment, SearchSpace } from "../../config/types.js";
import { InputError } from "../../errors.js";
import type { PriceTable } from "../../sim/deployment/cost.js";

type VarType = "number" | "string";

/** Names a constraint may use, their type and meaning. */
export const CONSTRAINT_VARIABLES = {
  tp: { type: "number", doc: "tensor parallelism (GPUs per replica)" },
  replicas: { type: "number", doc: "replica count" },
  gpuCount: { type: "number", doc: "GPUs in the deployment: tp * replicas" },
  maxRunningRequests: { type: "number", doc: "engine batch limit (SGLang max_running_requests, vLLM max_num_seqs)" },
  chunkedPrefillSize: { type: "number", doc: "prefill chunk / step token budget" },
  l2CapacityGb: { type: "number", doc: "host-memory KV tier per replica, GB (0 = no L2)" },
  l3CapacityGb: { type: "number", doc: "storage KV tier, GB (0 = no L3)" },
  gpuMemGb: { type: "number", doc: "HBM per GPU, GB (catalog)" },
  gpuUsdPerHour: { type: "number", doc: "price per GPU-hour, USD (the run's price list)" },
  usdPerHour: { type: "number", doc: "GPU cost of the deployment per hour, USD: gpuCount * gpuUsdPerHour" },
  gpu: { type: "string", doc: "GPU id, e.g. \"h100_sxm\"" },
  weights: { type: "string", doc: "weight dtype: \"bf16\", \"fp8\", \"int4\"" },
  kvDtype: { type: "string", doc: "KV cache dtype: \"bf16\", \"fp8\"" },
  engine: { type: "string", doc: "\"sglang\" or \"vllm\"" },
  routerPolicy: { type: "string", doc: "router policy, e.g. \"cache_aware\"" },
  l3Media: { type: "string", doc: "L3 medium id (\"none\" = no L3)" },
  evictionPolicy: { type: "string", doc: "KV eviction policy: \"lru\", \"lfu\"" },
  prefetchPolicy: { type: "string", doc: "L3 prefetch stop policy" },
  writePolicy: { type: "string", doc: "KV write policy" },
} as const satisfies Record<string, { type: VarType; doc: string }>;

export type ConstraintVariable = keyof typeof CONSTRAINT_VARIABLES;

/** Values of one configuration; `undefined` = not known (yet). */
export type ConstraintScope = {
  [K in ConstraintVariable]?: (typeof CONSTRAINT_VARIABLES)[K]["type"] extends "number" ? number : string;
};

/** Every name, in declaration order. */
export const VAR_NAMES = Object.keys(CONSTRAINT_VARIABLES) as ConstraintVariable[];

/** Values a string name can take, for catching typos like `gpu == "h100"`. */
export function stringDomains(space?: SearchSpace): Partial<Record<ConstraintVariable, readonly string[]>> {
  const d: Partial<Record<ConstraintVariable, readonly string[]>> = {
    weights: weightDtypeSchema.enum,
    kvDtype: kvDtypeSchema.enum,
    engine: engineKindSchema.enum,
    routerPolicy: routerPolicySchema.enum,
    evictionPolicy: evictionPolicySchema.enum,
    prefetchPolicy: prefetchPolicySchema.enum,
    writePolicy: writePolicySchema.enum,
  };
  if (space) {
    d.gpu = space.gpus;
    d.l3Media = ["none", ...(space.l3?.media ?? [])];
  }
  return d;
}

/** What a scope needs to know of a GPU: its memory (catalog) and price (the run's price list). */
export interface GpuFacts {
  hbmGb: number;
  usdPerHour: number;
}

/** The GPU's catalog memory and its price in `prices`, or undefined for an id the catalog does not know. */
export function lookupGpu(id: string, prices: PriceTable): GpuFacts | undefined {
  try {
    const g = resolveGpu(id);
    return { hbmGb: g.hbmGb, usdPerHour: prices.gpuUsdPerHour[g.id] };
  } catch (e) {
    if (e instanceof InputError) return undefined;
    throw e;
  }
}

/**
 * The names a deployment exposes to constraints, its GPU's facts from `lookupGpu` (with the run's
 * prices); an unknown GPU leaves `gpuMemGb`, `gpuUsdPerHour` and `usdPerHour` unknown.
 */
export function constraintScope(d: Deployment, gpu: GpuFacts | undefined): ConstraintScope {
  const s: ConstraintScope = {
    tp: d.tp,
    replicas: d.replicas,
    gpuCount: d.tp * d.replicas,
    maxRunningRequests: d.engine.maxRunningRequests,
    chunkedPrefillSize: d.engine.chunkedPrefillSize,
    l2CapacityGb: d.kvCache.l2?.capacityGb ?? 0,
    l3CapacityGb: d.kvCache.l3?.capacityGb ?? 0,
    gpu: d.gpu,
    weights: d.weights,
    kvDtype: d.kvDtype,
    engine: d.engine.kind,
    routerPolicy: d.router.policy,
    l3Media: d.kvCache.l3?.media ?? "none",
    evictionPolicy: d.kvCache.evictionPolicy,
    prefetchPolicy: d.kvCache.prefetchPolicy,
    writePolicy: d.kvCache.writePolicy,
  };
  return withDerived(s, gpu);
}

function withDerived(s: ConstraintScope, gpu: GpuFacts | undefined): ConstraintScope {
  if (s.tp !== undefined && s.replicas !== undefined) s.gpuCount = s.tp * s.replicas;
  if (gpu) {
    s.gpuMemGb = gpu.hbmGb;
    s.gpuUsdPerHour = gpu.usdPerHour;
    if (s.gpuCount !== undefined) s.usdPerHour = s.gpuCount * gpu.usdPerHour;
  }
  return s;
}
