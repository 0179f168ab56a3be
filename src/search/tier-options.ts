/**
 * Which KV tiers stage 3 simulates for a deployment: L2 (host memory) sizes at the knees of the
 * workload's LRU hit curve, the space's sizes and all the host memory the instance includes, bounded
 * by the node's `hostMemoryGbPerGpu` x TP per replica (SGLang HiCache's host pool lives in the
 * node's DRAM: `python/sglang/srt/mem_cache/memory_pool_host.py`); and L3 (storage) capacities that
 * add room beyond the cluster's L2, on NVMe within the nodes' local drives (catalog/node-bounds.ts),
 * each judged first by what the hit curve says it can add.
 */
import { resolveGpu, resolveModel } from "../catalog/index.js";
import { hostMemoryBoundGb, isOnLocalNvme, localNvmeBoundGb } from "../catalog/node-bounds.js";
import type { Deployment } from "../config/types.js";
import { kvBytesPerTokenPerReplica } from "../sim/model/memory.js";
import type { SearchContext } from "./context.js";

/** An L3 option whose hit curve adds less than this fraction of prompt tokens is not simulated. */
export const MIN_L3_HIT_GAIN = 0.005;
/** Sizes within this ratio of each other are one option (the space's value, or the smaller). */
const SAME_SIZE = 1.1;

/** KV bytes of one token across a deployment's TP group. */
export function kvBytesPerToken(d: Deployment): number {
  return kvBytesPerTokenPerReplica(resolveModel(d.model), d.kvDtype, d.tp);
}

/** Rounds a capacity up to a tidy size (1, 2 or 5 times a power of ten, GB). */
export function tidyGb(gb: number): number {
  if (gb <= 0) return 0;
  const p = 10 ** Math.floor(Math.log10(gb));
  for (const m of [1, 2, 5, 10]) if (m * p >= gb) return m * p;
  return 10 * p;
}

/**
 * Capacities (tokens, whole cluster) at the knees of the workload's LRU hit curve: the smallest
 * capacities reaching 80% and 95% of the unbounded hit rate (diminishing returns past them).
 */
export function hitCurveKnees(ctx: SearchContext): number[] {
  const reuse = ctx.profile.reuse;
  const max = reuse.point(0).tokenHitRate;
  if (max <= 0) return [];
  const sat = Math.max(reuse.blockSize, reuse.saturationTokens);
  const knees: number[] = [];
  for (const frac of [0.8, 0.95]) {
    let lo = 0;
    let hi = sat;
    while (hi - lo > reuse.blockSize) {
      const m = (lo + hi) / 2;
      if (reuse.point(m).tokenHitRate >= frac * max) hi = m;
      else lo = m;
    }
    knees.push(hi);
  }
  return knees;
}


/** `sizes` ascending with near-duplicates dropped (within SAME_SIZE, the first kept: put preferred sizes first). */
function distinct(sizes: readonly number[]): number[] {
  const kept: number[] = [];
  for (const s of sizes) if (!kept.some((k) => Math.max(k, s) / Math.min(k, s) < SAME_SIZE)) kept.push(s);
  return kept.sort((a, b) => a - b);
}

/**
 * L2 sizes (GB per replica) worth simulating for `d`: the space's, the hit-curve knees and the whole
 * host memory bound (free when the price list includes host memory in the instance), each larger
 * than the GPU pool (HiCache requires the host pool to exceed the device pool) and within the bound.
 */
export function l2Options(ctx: SearchContext, d: Deployment, l1PoolTokens: number): number[] {
  const perToken = kvBytesPerToken(d);
  const l1Gb = (l1PoolTokens * perToken) / 1e9;
  const bound = hostMemoryBoundGb(resolveGpu(d.gpu), d.tp);
  const fromKnees = hitCurveKnees(ctx).map((tokens) => tidyGb(((tokens / d.replicas) * perToken) / 1e9));
  const all = distinct([...ctx.space.l2CapacityGb, ...fromKnees, bound]).filter((gb) => gb > l1Gb * 1.05 && gb <= bound);
  return all.slice(-3);
}

/** An L3 capacity and what the hit curve says it adds over the cluster's L1 + L2. */
export interface L3Option {
  capacityGb: number;
  /** Prefix-hit tokens it adds, as a fraction of prompt tokens (LRU hit curve, whole cluster). */
  hitGain: number;
}

/**
 * L3 capacities (GB, one shared pool on `media`) for `d` (with its L2): the space's and the
 * whole-cluster knee, each larger than the cluster's L2 (a smaller pool holds nothing L2 does not),
 * with the hit rate the curve says it adds over L1 + L2. On a node-local medium (NVMe) only sizes
 * within the cluster's local NVMe are offered, and the whole of it when a wanted size is larger.
 */
export function l3Options(ctx: SearchContext, d: Deployment, l1PoolTokens: number, media: string): L3Option[] {
  const perToken = kvBytesPerToken(d);
  const reuse = ctx.profile.reuse;
  const l2Gb = d.kvCache.l2?.capacityGb ?? 0;
  const hostTokens = d.replicas * Math.max(l1PoolTokens, (l2Gb * 1e9) / perToken);
  const base = reuse.point(hostTokens).tokenHitRate;
  const knees = hitCurveKnees(ctx).map((t) => tidyGb((t * perToken) / 1e9));
  let wanted = [...ctx.space.l3CapacityGb, ...knees.slice(-1)];
  if (isOnLocalNvme(media)) {
    const bound = localNvmeBoundGb(resolveGpu(d.gpu), d.tp, d.replicas, true);
    if (wanted.some((gb) => gb > bound)) wanted = [...wanted.filter((gb) => gb <= bound), bound];
  }
  const sizes = distinct(wanted).filter((gb) => gb > 1.1 * d.replicas * l2Gb);
  return sizes.slice(0, 3).map((gb) => ({ capacityGb: gb, hitGain: reuse.point(hostTokens + (gb * 1e9) / perToken).tokenHitRate - base }));
}
