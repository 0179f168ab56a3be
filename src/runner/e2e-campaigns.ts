/**
 * Measurement campaigns of an end-to-end file and per-campaign errors. A campaign is what one
 * measurement run shares: system x backend x version x model x quantization. Leave-one-campaign-out
 * (scripts/calibrate-e2e.ts) fits the engine constants on every campaign but one and predicts that
 * one, which is what predicts an unseen deployment.
 */
import type { E2eRow } from "../io/e2e-csv.js";
import { mape } from "./mape.js";
import type { E2eRowResult } from "./validate-e2e.js";

/** A row's campaign: "system backend version model quantization" (version "-" when unrecorded). */
export function campaignOf(r: E2eRow): string {
  return [r.system, r.backend, r.backendVersion || "-", r.model, r.gemmQuant || "bf16"].join(" ");
}

export interface CampaignError {
  campaign: string;
  rows: number;
  ttftMape: number;
  tpotMape: number;
}

/** MAPE of TTFT and TPOT per campaign of `details` (rows of `rows`), sorted by campaign. */
export function errorsByCampaign(rows: readonly E2eRow[], details: readonly E2eRowResult[]): CampaignError[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const groups = new Map<string, E2eRowResult[]>();
  for (const d of details) {
    const row = byId.get(d.id);
    if (!row) continue;
    const k = campaignOf(row);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(d);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([campaign, ds]) => ({
      campaign, rows: ds.length, ttftMape: mape(ds.map((d) => d.ttftApe)), tpotMape: mape(ds.map((d) => d.tpotApe)),
    }));
}
