/**
 * The GPU ranking of `compare-gpus`: one row per GPU from its search's result, sorted by the cost
 * of its cheapest SLO-meeting deployment (GPUs without one last, each with the reason).
 */
import { rankGpus } from "../report/gpu-ranking.js";
import type { FrontierFile, SearchStatus } from "../results/frontier-file.js";
import type { Point } from "../results/point.js";

/** Status of one GPU's search (frontier.json `status`). */
export type GpuStatus = SearchStatus;

/** One row of the ranking (SPEC field names, plus where the search's results are). */
export interface GpuRow {
  gpu: string;
  recommended: Point | null;
  /** Why there is no recommendation (null when there is one). */
  reason: string | null;
  costUsdPerHour: number | null;
  usdPerMillionTokens: number | null;
  capacityRps: number | null;
  /** Capacity per USD per hour: req/s bought by each $/h. */
  capacityPerUsd: number | null;
  status: GpuStatus;
  /** The GPU's results folder. */
  results: string | null;
}

export interface GpuRanking {
  demandRps: number;
  prices: string;
  gpus: GpuRow[];
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/**
 * Why a GPU's search has no (final) recommendation: the search's own reason (infeasible, or cut
 * short), and for an infeasible one what its points or stage-1 drops say about this GPU.
 */
export function reasonOf(gpu: string, f: FrontierFile): string {
  if (f.status === "partial") return `search cut short: ${f.statusReason ?? "--max-runs reached"}`;
  const why = rankGpus(f.points, [gpu], f.screened).find((r) => r.gpu === gpu)?.reason;
  return [f.statusReason ?? "no evaluated deployment meets every target", why].filter((x) => x).join("; ");
}

/**
 * A ranking row from a finished search. A search cut short keeps the figures of what it found and
 * says so in `reason`.
 */
export function rowOf(gpu: string, f: FrontierFile, results: string): GpuRow {
  const rec = f.recommended;
  const status = f.status;
  const reason = status === "ok" && rec ? null : reasonOf(gpu, f);
  if (!rec) {
    return { gpu, recommended: null, reason, costUsdPerHour: null, usdPerMillionTokens: null, capacityRps: null, capacityPerUsd: null, status, results };
  }
  return {
    gpu, recommended: rec, reason,
    costUsdPerHour: rec.costUsdPerHour,
    usdPerMillionTokens: Number.isFinite(rec.usdPerMillionTokens) ? rec.usdPerMillionTokens : null,
    capacityRps: rec.capacityRps,
    capacityPerUsd: rec.costUsdPerHour > 0 ? r4(rec.capacityRps / rec.costUsdPerHour) : null,
    status, results,
  };
}

/** A row for a GPU whose search could not run at all (e.g. no configuration holds the model). */
export function failedRow(gpu: string, reason: string): GpuRow {
  return { gpu, recommended: null, reason, costUsdPerHour: null, usdPerMillionTokens: null, capacityRps: null, capacityPerUsd: null, status: "infeasible", results: null };
}

/** Sorted by cost per hour (no deployment last), then capacity (higher first), then GPU id. */
export function sortRows(rows: readonly GpuRow[]): GpuRow[] {
  return [...rows].sort((a, b) => {
    if (a.costUsdPerHour === null || b.costUsdPerHour === null) {
      if (a.costUsdPerHour !== b.costUsdPerHour) return a.costUsdPerHour === null ? 1 : -1;
    } else if (a.costUsdPerHour !== b.costUsdPerHour) return a.costUsdPerHour - b.costUsdPerHour;
    const ca = a.capacityRps ?? -1;
    const cb = b.capacityRps ?? -1;
    if (ca !== cb) return cb - ca;
    return a.gpu < b.gpu ? -1 : a.gpu > b.gpu ? 1 : 0;
  });
}
