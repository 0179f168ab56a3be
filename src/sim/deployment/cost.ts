/**
 * What a deployment costs per hour under a price list. Prices are plain data passed in by the edge
 * (`src/catalog/prices.ts` loads and merges the lists); nothing here knows where they came from.
 */

import { InvariantError } from "../../errors.js";

/** A price list with every figure the cost model needs, resolved (user overrides merged). */
export interface PriceTable {
  /** The list's name, as outputs cite it. */
  name: string;
  /** USD per GPU-hour by GPU catalog id. */
  gpuUsdPerHour: Record<string, number>;
  /** USD per GB-hour of host memory used as L2 (0 when it is part of the GPU instance). */
  hostMemoryUsdPerGbHour: number;
  /** USD per GB-hour of L3 media by KV media catalog id. */
  mediaUsdPerGbHour: Record<string, number>;
}

/** The parts of a deployment that cost money. */
export interface CostShape {
  gpu: string;
  tp: number;
  replicas: number;
  /** L2 host tier, GB per replica. */
  l2?: { capacityGb: number };
  /** L3 tier: GB of the shared pool, or per replica when not shared. */
  l3?: { media: string; capacityGb: number; shared: boolean };
}

export interface CostBreakdown {
  gpuUsdPerHour: number;
  l2UsdPerHour: number;
  l3UsdPerHour: number;
  totalUsdPerHour: number;
}

function priceOf(table: Record<string, number>, id: string, what: string, list: string): number {
  const p = table[id];
  // The edge checks every catalog id against the list before a run; a miss here is a bug.
  if (p === undefined) throw new InvariantError(`price list ${list} has no price for ${what} "${id}"`);
  return p;
}

/** Cluster cost per hour: GPUs x price + L2 GB x host-memory price + L3 GB x media price. */
export function clusterCost(c: CostShape, prices: PriceTable): CostBreakdown {
  const gpuUsdPerHour = c.replicas * c.tp * priceOf(prices.gpuUsdPerHour, c.gpu, "GPU", prices.name);
  const l2UsdPerHour = c.l2 ? c.replicas * c.l2.capacityGb * prices.hostMemoryUsdPerGbHour : 0;
  const l3UsdPerHour = c.l3
    ? (c.l3.shared ? 1 : c.replicas) * c.l3.capacityGb * priceOf(prices.mediaUsdPerGbHour, c.l3.media, "KV medium", prices.name)
    : 0;
  return { gpuUsdPerHour, l2UsdPerHour, l3UsdPerHour, totalUsdPerHour: gpuUsdPerHour + l2UsdPerHour + l3UsdPerHour };
}
