/**
 * GPU SKUs ranked by their best cost efficiency among points that meet the SLO; a GPU without one
 * says why (screened out in stage 1, or its closest miss).
 */
import type { ScreenedConfig } from "../results/frontier-file.js";
import type { Point } from "../results/point.js";
import { describeDeployment } from "./format.js";

export interface GpuRank {
  gpu: string;
  /** The SLO-meeting point with the lowest USD per 1M tokens, or null when none meets the SLO. */
  best: Point | null;
  /** Points evaluated / meeting the SLO on this GPU. */
  evaluated: number;
  met: number;
  /** Why no point meets the SLO (when `best` is null). */
  reason?: string;
}

const REASON_WORDS: Record<ScreenConfigReason, string> = {
  memory: "memory",
  shape: "shape",
  constraints: "constraints",
  "decode-tpot": "decode-step TPOT",
  "lone-prefill-ttft": "lone prefill vs TTFT",
  dominated: "dominated",
  "ranked-out": "ranked out",
};
type ScreenConfigReason = ScreenedConfig["reason"];

/** Why `gpu` has no SLO-meeting point, from its points (closest miss) or its stage-1 drops. */
function whyNone(gpu: string, points: readonly Point[], screened: readonly ScreenedConfig[]): string {
  const own = points.filter((p) => p.deployment.gpu === gpu);
  const drops = screened.filter((s) => s.gpu === gpu);
  if (own.length > 0) {
    // The miss with the most replicas tried is the one that says most about why more did not help.
    const closest = [...own].sort((a, b) => b.deployment.replicas - a.deployment.replicas || a.costUsdPerHour - b.costUsdPerHour || (a.id < b.id ? -1 : 1))[0];
    return `simulated ${own.length}, e.g. ${describeDeployment(closest.deployment)}: ${closest.note ?? "misses a target"}`;
  }
  if (drops.length === 0) return "not evaluated";
  const counts = new Map<string, number>();
  for (const d of drops) counts.set(REASON_WORDS[d.reason], (counts.get(REASON_WORDS[d.reason]) ?? 0) + 1);
  const summary = [...counts].map(([r, n]) => `${r} x${n}`).join(", ");
  return `screened out in stage 1 (${summary}), e.g. tp${drops[0].tp} ${drops[0].weights}: ${drops[0].detail}`;
}

/**
 * One row per GPU (from the points, plus `alsoGpus`), GPUs with an SLO-meeting point first by
 * their best `usdPerMillionTokens` (ties: cost per hour, then id), then the rest by id. A GPU's
 * best is its cheapest per token among its confirmed points when it has one.
 */
export function rankGpus(points: readonly Point[], alsoGpus: readonly string[] = [], screened: readonly ScreenedConfig[] = []): GpuRank[] {
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
    // A point confirmed on other seeds outranks one only the search seed has seen.
    const b = r.best;
    const unconfirmed = (x: Point) => (x.confirmedSeeds.length > 0 ? 0 : 1);
    if (
      b === null ||
      (unconfirmed(p) - unconfirmed(b) ||
        p.usdPerMillionTokens - b.usdPerMillionTokens ||
        p.costUsdPerHour - b.costUsdPerHour ||
        (p.id < b.id ? -1 : 1)) < 0
    ) {
      r.best = p;
    }
  }
  for (const r of byGpu.values()) if (!r.best) r.reason = whyNone(r.gpu, points, screened);
  const byName = (a: GpuRank, b: GpuRank): number => (a.gpu < b.gpu ? -1 : a.gpu > b.gpu ? 1 : 0);
  return [...byGpu.values()].sort((a, b) => {
    if (a.best && b.best) return a.best.usdPerMillionTokens - b.best.usdPerMillionTokens || a.best.costUsdPerHour - b.best.costUsdPerHour || byName(a, b);
    if (a.best) return -1;
    if (b.best) return 1;
    return byName(a, b);
  });
}
