/**
 * A search space with its defaults resolved, and the stage-1 grid it spans
 * (GPU x TP x weights x KV dtype x engine).
 */
import type { Deployment, SearchSpace } from "../config/types.js";

export interface ResolvedSpace {
  name: string;
  gpus: string[];
  tp: number[];
  weights: ("bf16" | "fp8" | "int4")[];
  kvDtype: ("bf16" | "fp8")[];
  engines: ("sglang" | "vllm")[];
  maxRunningRequests: [number, number];
  /** Empty = the engine's default for the GPU. */
  chunkedPrefillSize: number[];
  routerPolicies: Deployment["router"]["policy"][];
  maxReplicas: number;
  maxGpus: number;
  l2CapacityGb: number[];
  l3Media: string[];
  l3CapacityGb: number[];
  evictionPolicies: ("lru" | "lfu")[];
  prefetchPolicies: ("best_effort" | "wait_complete" | "timeout")[];
  writePolicies: ("write_through" | "write_through_selective" | "write_back")[];
  constraints: string[];
}

export const DEFAULT_ROUTER_POLICIES: ResolvedSpace["routerPolicies"] = ["cache_aware", "power_of_two", "bucket", "round_robin"];

export function resolveSpace(s: SearchSpace): ResolvedSpace {
  const maxGpus = s.maxGpus ?? 64;
  return {
    name: s.name ?? "search space",
    gpus: [...s.gpus],
    tp: [...s.tp].sort((a, b) => a - b),
    weights: [...(s.weights ?? ["bf16"])],
    kvDtype: [...(s.kvDtype ?? ["bf16"])],
    engines: [...(s.engines ?? ["sglang"])],
    maxRunningRequests: s.maxRunningRequests ? [s.maxRunningRequests[0], s.maxRunningRequests[1]] : [8, 1024],
    chunkedPrefillSize: [...(s.chunkedPrefillSize ?? [])].sort((a, b) => a - b),
    routerPolicies: [...(s.routerPolicies ?? DEFAULT_ROUTER_POLICIES)],
    maxReplicas: s.maxReplicas ?? Math.max(1, maxGpus),
    maxGpus,
    l2CapacityGb: [...(s.l2CapacityGb ?? [])].filter((x) => x > 0).sort((a, b) => a - b),
    l3Media: [...(s.l3?.media ?? [])],
    l3CapacityGb: [...(s.l3?.capacityGb ?? [])].filter((x) => x > 0).sort((a, b) => a - b),
    evictionPolicies: [...(s.evictionPolicies ?? ["lru"])],
    prefetchPolicies: [...(s.prefetchPolicies ?? ["best_effort"])],
    writePolicies: [...(s.writePolicies ?? ["write_through"])],
    constraints: [...(s.constraints ?? [])],
  };
}

/** One execution-layer configuration that stage 1 screens. */
export interface ExecConfig {
  gpu: string;
  tp: number;
  weights: ResolvedSpace["weights"][number];
  kvDtype: ResolvedSpace["kvDtype"][number];
  engine: ResolvedSpace["engines"][number];
}

/** The stage-1 grid in a fixed order (the order of the space's lists). */
export function execGrid(s: ResolvedSpace): ExecConfig[] {
  const out: ExecConfig[] = [];
  for (const gpu of s.gpus) for (const tp of s.tp) for (const weights of s.weights) for (const kvDtype of s.kvDtype) for (const engine of s.engines) {
    out.push({ gpu, tp, weights, kvDtype, engine });
  }
  return out;
}
