import type { HiCacheStats } from "../cache/hicache-controller.js";
import type { PrefixHitStats } from "./prefix-cache.js";

/** Counters a replica accumulates for the metrics. */
export interface ReplicaStats extends HiCacheStats, PrefixHitStats {
  completed: number;
  busyUs: number;
  steps: number;
  prefillSteps: number;
  retractions: number;
  inputTokens: number;
}

export function newReplicaStats(): ReplicaStats {
  return {
    completed: 0, busyUs: 0, steps: 0, prefillSteps: 0, retractions: 0,
    bytesL2ToL1: 0, bytesL1ToL2: 0, bytesL3ToL2: 0, bytesL2ToL3: 0,
    hitTokensL1: 0, hitTokensL2: 0, hitTokensL3: 0, inputTokens: 0,
  };
}
