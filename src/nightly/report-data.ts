/**
 * `report.json` of a nightly run: per service and demand scale, the recommendation and its
 * figures, and what changed against the baseline night with regressions past the plan's
 * thresholds marked.
 */
import type { FrontierFile, SearchStatus } from "../results/frontier-file.js";
import { sloPressure } from "../results/pareto.js";
import type { Point, SloTargets } from "../results/point.js";

export const NIGHTLY_REPORT_VERSION = 1;

export type ServiceStatus = SearchStatus;

export interface Change {
  field: "status" | "recommendation" | "gpu" | "gpus" | "costUsdPerHour" | "usdPerMillionTokens" | "capacityRps" | "headroom" | "sloPressure";
  before: string | number | null;
  after: string | number | null;
  regression: boolean;
  /** Why it is a regression (the threshold crossed). */
  why?: string;
}

export interface ServiceResult {
  name: string;
  demandScale: number;
  demandRps: number;
  status: ServiceStatus;
  /** Why the status is not ok. */
  statusReason?: string;
  recommended: Point | null;
  /** GPU SKU of the recommendation. */
  gpu: string | null;
  /** GPUs of the recommendation (replicas x TP). */
  gpus: number | null;
  costUsdPerHour: number | null;
  usdPerMillionTokens: number | null;
  capacityRps: number | null;
  /** Capacity / demand. */
  headroom: number | null;
  /**
   * How close the recommendation runs to its SLO at the demand: the highest ratio of a latency
   * percentile to its target (1 = at the target). A service that no longer meets the SLO shows in
   * `status`.
   */
  sloPressure: number | null;
  /** The search's results folder, relative to the nightly folder. */
  run: string;
  changes: Change[];
}

export interface Thresholds {
  costIncreasePct: number;
  capacityDropPct: number;
  headroomDropPct?: number;
}

export interface NightlyReport {
  schemaVersion: number;
  plan: string;
  date: string;
  prices: string;
  /** The baseline night's folder, or null when there is none. */
  baseline: string | null;
  regressions: number;
  thresholds: Thresholds;
  services: ServiceResult[];
}

const r4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** A service's row from its search's frontier.json. */
export function serviceResult(name: string, demandScale: number, f: FrontierFile, run: string, targets: SloTargets): ServiceResult {
  const status = f.status;
  const rec = f.recommended;
  const row: ServiceResult = {
    name, demandScale, demandRps: f.demandRps, status, recommended: rec,
    gpu: rec ? rec.deployment.gpu : null,
    gpus: rec ? rec.deployment.replicas * rec.deployment.tp : null,
    costUsdPerHour: rec ? rec.costUsdPerHour : null,
    usdPerMillionTokens: rec && Number.isFinite(rec.usdPerMillionTokens) ? rec.usdPerMillionTokens : null,
    capacityRps: rec ? rec.capacityRps : null,
    headroom: rec && f.demandRps > 0 ? r4(rec.capacityRps / f.demandRps) : null,
    sloPressure: rec ? r4(sloPressure(rec, targets)) : null,
    run,
    changes: [],
  };
  if (status !== "ok") row.statusReason = f.statusReason ?? "no evaluated deployment meets every target";
  return row;
}

/** Identifies a row across nights: service name and demand scale. */
export const rowKey = (r: Pick<ServiceResult, "name" | "demandScale">): string => `${r.name}@${r.demandScale}`;

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/**
 * What changed from `before` to `after`: the status, the recommended deployment, its GPU and GPU
 * count, cost, cost per token, capacity and headroom. Regressions: the status leaves ok; the cost
 * rises by more than `costIncreasePct`; the capacity (or, when set, the headroom) drops by more
 * than its threshold.
 */
export function changesBetween(before: ServiceResult, after: ServiceResult, t: Thresholds): Change[] {
  const out: Change[] = [];
  if (before.status !== after.status) {
    out.push({ field: "status", before: before.status, after: after.status, regression: before.status === "ok", ...(before.status === "ok" ? { why: "no longer has an SLO-meeting deployment" } : {}) });
  }
  const id = (r: ServiceResult) => r.recommended?.id ?? null;
  if (id(before) !== id(after)) out.push({ field: "recommendation", before: id(before), after: id(after), regression: false });
  if (before.gpu !== after.gpu) out.push({ field: "gpu", before: before.gpu, after: after.gpu, regression: false });
  if (before.gpus !== after.gpus) out.push({ field: "gpus", before: before.gpus, after: after.gpus, regression: false });
  const num = (field: "costUsdPerHour" | "usdPerMillionTokens" | "capacityRps" | "headroom" | "sloPressure", regression: (b: number, a: number) => string | undefined) => {
    const b = before[field];
    const a = after[field];
    if (b === a) return;
    const why = b !== null && a !== null ? regression(b, a) : undefined;
    out.push({ field, before: b, after: a, regression: why !== undefined, ...(why ? { why } : {}) });
  };
  num("costUsdPerHour", (b, a) => (b > 0 && a > b * (1 + t.costIncreasePct / 100) ? `cost up ${pct(a / b - 1)} > ${t.costIncreasePct}%` : undefined));
  num("usdPerMillionTokens", () => undefined);
  num("sloPressure", () => undefined);
  num("capacityRps", (b, a) => (b > 0 && a < b * (1 - t.capacityDropPct / 100) ? `capacity down ${pct(1 - a / b)} > ${t.capacityDropPct}%` : undefined));
  const hd = t.headroomDropPct;
  num("headroom", (b, a) => (hd !== undefined && b > 0 && a < b * (1 - hd / 100) ? `headroom down ${pct(1 - a / b)} > ${hd}%` : undefined));
  return out;
}

/** Fills each row's changes against the baseline's row of the same service and scale; returns the regressions. */
export function compareWithBaseline(rows: ServiceResult[], baseline: readonly ServiceResult[] | undefined, t: Thresholds): number {
  if (!baseline) return 0;
  const byKey = new Map(baseline.map((r) => [rowKey(r), r]));
  let regressions = 0;
  for (const r of rows) {
    const b = byKey.get(rowKey(r));
    if (!b) continue;
    r.changes = changesBetween(b, r, t);
    regressions += r.changes.filter((c) => c.regression).length;
  }
  return regressions;
}

/** Exit code of a night: 3 when a service has no SLO-meeting deployment (or was cut short), else 4 on a regression, else 0. */
export function nightlyExitCode(r: NightlyReport): number {
  if (r.services.some((s) => s.status !== "ok")) return 3;
  return r.regressions > 0 ? 4 : 0;
}
