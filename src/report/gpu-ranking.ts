/** GPU SKUs ranked by their best cost efficiency among points that meet the SLO. */
import type { Point } from "../results/point.js";

export interface GpuRank {
  gpu: string;
  /** The SLO-meeting point with the lowest USD per 1M tokens, or null when none meets the SLO. */
  best: Point | null;
  /** Points evaluated / meeting the SLO on this GPU. */
  evaluated: number;
  met: number;
}

/**
 * One row per GPU (from the points, plus `alsoGpus`), GPUs with an SLO-meeting point first by
 * their best `usdPerMillionTokens` (ties: cost per hour, then id), then the rest by id.
 */
export function rankGpus(points: readonly Point[], alsoGpus: readonly string[] = []): GpuRank[] {
  const byGpu = new Map<string, GpuRank>();
  const row = (gpu: string): GpuRank => {
    let r = byGpu.get(gpu);
    if (!r) byGpu.set(gpu, (r = { gpu, best: null, evaluated: 0, met: 0 }));
    return r;
  };
  for (const g of alsoGpus) row(g);
  for (const p of points) {
    const r = row(p.deployment.gpu);
    r.evaluated++;
    if (!p.sloMet) continue;
    r.met++;
    const b = r.best;
    if (
      b === null ||
      p.usdPerMillionTokens < b.usdPerMillionTokens ||
      (p.usdPerMillionTokens === b.usdPerMillionTokens &&
        (p.costUsdPerHour < b.costUsdPerHour || (p.costUsdPerHour === b.costUsdPerHour && p.id < b.id)))
    ) {
      r.best = p;
    }
  }
  const byName = (a: GpuRank, b: GpuRank): number => (a.gpu < b.gpu ? -1 : a.gpu > b.gpu ? 1 : 0);
  return [...byGpu.values()].sort((a, b) => {
    if (a.best && b.best) return a.best.usdPerMillionTokens - b.best.usdPerMillionTokens || a.best.costUsdPerHour - b.best.costUsdPerHour || byName(a, b);
    if (a.best) return -1;
    if (b.best) return 1;
    return byName(a, b);
  });
}
