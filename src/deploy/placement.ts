/**
 * Where each replica runs: replicas packed onto nodes of `gpusPerNode` GPUs (a TP group never spans
 * nodes), each with its GPUs and an HTTP port. Hostnames are placeholders (`node-0`, ...) the
 * operator replaces.
 */

export interface ReplicaSlot {
  index: number;
  node: number;
  host: string;
  /** GPU indices on the node (CUDA_VISIBLE_DEVICES). */
  gpus: number[];
  port: number;
}

/** Slots for `replicas` replicas of `tp` GPUs on nodes of `gpusPerNode`, ports from `basePort`. */
export function placeReplicas(replicas: number, tp: number, gpusPerNode: number, basePort: number): ReplicaSlot[] {
  const perNode = Math.max(1, Math.floor(gpusPerNode / tp));
  const out: ReplicaSlot[] = [];
  for (let i = 0; i < replicas; i++) {
    const node = Math.floor(i / perNode);
    const slot = i % perNode;
    out.push({
      index: i, node, host: `node-${node}`,
      gpus: Array.from({ length: tp }, (_, k) => slot * tp + k),
      port: basePort + slot,
    });
  }
  return out;
}
