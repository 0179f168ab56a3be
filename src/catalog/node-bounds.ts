/**
 * What a deployment's own nodes hold for its KV tiers: host DRAM for L2 (SGLang HiCache's host pool
 * lives in the server process, `python/sglang/srt/mem_cache/memory_pool_host.py`) and local NVMe
 * for an L3 on a node-local medium (HiCacheFile writes pages under a local directory,
 * `python/sglang/srt/mem_cache/hicache_storage.py`). The bundled price lists charge nothing for
 * either because the instance price includes them, which holds only up to these bounds; more would
 * mean another machine's memory or disk.
 */
import type { Deployment, GpuSpec } from "../config/types.js";
import { listKvMedia } from "./index.js";

/** Host memory one replica may use as L2: its GPUs' share of the node's DRAM, GB. */
export function hostMemoryBoundGb(gpu: GpuSpec, tp: number): number {
  return gpu.hostMemoryGbPerGpu * tp;
}

/**
 * Local NVMe an L3 tier on a node-local medium may fill, GB: one replica's share of its node
 * (localNvmeGbPerGpu x tp), or for a shared pool every replica's share (x replicas).
 */
export function localNvmeBoundGb(gpu: GpuSpec, tp: number, replicas: number, shared: boolean): number {
  return gpu.localNvmeGbPerGpu * tp * (shared ? replicas : 1);
}

/** Whether the KV medium `id` lives on the node's own NVMe (unknown ids: no). */
export function isOnLocalNvme(mediaId: string): boolean {
  const id = mediaId.trim().toLowerCase();
  return listKvMedia().some((m) => m.id.toLowerCase() === id && m.onLocalNvme === true);
}

/** A tier of a deployment that its nodes cannot hold: JSON path under the deployment, and why. */
export interface NodeBoundIssue {
  path: string;
  message: string;
}

/**
 * The KV tiers of `d` (on GPU `gpu`) that exceed what its nodes hold: an L2 above the replica's
 * host memory, an L3 on a node-local medium above the local NVMe. Empty when they fit.
 */
export function nodeBoundIssues(d: Deployment, gpu: GpuSpec): NodeBoundIssue[] {
  const issues: NodeBoundIssue[] = [];
  const tp = d.tp ?? 1;
  const replicas = d.replicas ?? 1;
  const { l2, l3 } = d.kvCache ?? {};
  const hostGb = hostMemoryBoundGb(gpu, tp);
  if (l2 && l2.capacityGb > hostGb) {
    issues.push({
      path: "/kvCache/l2/capacityGb",
      message: `${l2.capacityGb} GB is more host memory than a replica of tp=${tp} on ${gpu.id} has ` +
        `(${gpu.hostMemoryGbPerGpu} GB per GPU x ${tp}); expected at most ${hostGb} GB, or an L3 tier for more`,
    });
  }
  if (l3 && isOnLocalNvme(l3.media)) {
    const shared = l3.shared ?? true;
    const nvmeGb = localNvmeBoundGb(gpu, tp, replicas, shared);
    if (l3.capacityGb > nvmeGb) {
      const whose = shared ? `the ${replicas} replica${replicas === 1 ? "" : "s"} of tp=${tp} on ${gpu.id} have together` : `a replica of tp=${tp} on ${gpu.id} has`;
      issues.push({
        path: "/kvCache/l3/capacityGb",
        message: `${l3.capacityGb} GB of ${l3.media} is more local NVMe than ${whose} ` +
          `(${gpu.localNvmeGbPerGpu} GB per GPU x ${tp}${shared ? ` x ${replicas}` : ""}); expected at most ${nvmeGb} GB` +
          `${shared ? ", more replicas" : ""}, or a remote_pool L3 for more`,
      });
    }
  }
  return issues;
}
