/**
 * Fitting the engine constants end-to-end serving depends on, and leave-one-campaign-out: fit them on
 * every campaign of a measured file but one, predict the one left out, for each campaign. That is the
 * figure that predicts an unseen deployment (docs/fidelity.md). `validate e2e
 * --leave-one-campaign-out` and scripts/calibrate-e2e.ts run it.
 *
 * The constants (one set for every engine; what differs between engines and releases is structure,
 * from `engine.version`):
 * - the engine's CPU work per step (src/sim/estimator/engine-overhead.ts): per request, per prefill
 *   entry, and the share an overlap scheduler cannot hide;
 * - the benchmark client's time to start a request (src/sim/workload/closed-loop.ts).
 * The server front end (src/sim/deployment/front-end-costs.ts) is not fitted: the H100 rows do not
 * reach its throughput. Each constant is fitted on what it moves, each campaign weighing the same:
 * the CPU costs on the mean TPOT MAPE (TPOT is the better measured quantity, and they set the step
 * time), the client's start time on the mean TTFT MAPE; coordinate descent over fixed grids, two
 * passes. Fits use at most `fitRows` rows per campaign (every k-th row); every reported figure uses
 * all rows.
 */
import type { E2eRow } from "../io/e2e-csv.js";
import { FRONT_END_COSTS } from "../sim/deployment/front-end-costs.js";
import { ENGINE_OVERHEAD } from "../sim/estimator/engine-overhead.js";
import { CLIENT_REQUEST_US } from "../sim/workload/closed-loop.js";
import { campaignOf, errorsByCampaign, type CampaignError } from "./e2e-campaigns.js";
import { skipReason, validateE2e, type ServingCostsOverride } from "./validate-e2e.js";

export interface EngineConstants {
  perRequestUs: number;
  perPrefillUs: number;
  overlapExposedShare: number;
  clientRequestUs: number;
}

/** The grids each constant is fitted over. */
export const FIT_GRID: Record<keyof EngineConstants, readonly number[]> = {
  perRequestUs: [10, 20, 30, 40, 50, 65, 80],
  perPrefillUs: [0, 50, 100, 200, 400],
  overlapExposedShare: [0, 0.1, 0.2, 0.35, 0.5],
  clientRequestUs: [300, 1000, 3000, 10000],
};

/** Rows per campaign a fit uses at most (every k-th row). */
export const DEFAULT_FIT_ROWS = 16;

/** The constants the simulator ships with. */
export function shippedConstants(): EngineConstants {
  return {
    perRequestUs: ENGINE_OVERHEAD.perRequestUs,
    perPrefillUs: ENGINE_OVERHEAD.perPrefillUs,
    overlapExposedShare: ENGINE_OVERHEAD.overlapExposedShare,
    clientRequestUs: CLIENT_REQUEST_US,
  };
}

export function costsOf(p: EngineConstants): ServingCostsOverride {
  return {
    engine: { ...ENGINE_OVERHEAD, perRequestUs: p.perRequestUs, perPrefillUs: p.perPrefillUs, overlapExposedShare: p.overlapExposedShare },
    frontEnd: { ...FRONT_END_COSTS },
    clientRequestUs: p.clientRequestUs,
  };
}

/** Per-campaign errors of `rows` replayed with constants `p`. */
export function evaluateConstants(rows: E2eRow[], p: EngineConstants): CampaignError[] {
  return errorsByCampaign(rows, validateE2e(rows, undefined, { costs: costsOf(p) }).details);
}

const TTFT_CONSTANTS = new Set<keyof EngineConstants>(["clientRequestUs"]);
const objective = (errs: CampaignError[], k: keyof EngineConstants) =>
  errs.reduce((s, e) => s + (TTFT_CONSTANTS.has(k) ? e.ttftMape : e.tpotMape), 0) / Math.max(1, errs.length);

/** Every k-th row of each campaign, at most `perCampaign` of them. */
export function subsample(rows: readonly E2eRow[], perCampaign: number): E2eRow[] {
  const groups = new Map<string, E2eRow[]>();
  for (const r of rows) {
    const k = campaignOf(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const out: E2eRow[] = [];
  for (const g of groups.values()) {
    const step = Math.max(1, Math.ceil(g.length / perCampaign));
    out.push(...g.filter((_, i) => i % step === 0));
  }
  return out;
}

/** Fits the constants on `rows` (coordinate descent from the shipped ones). */
export function fitConstants(rows: E2eRow[], log: (s: string) => void = () => {}): EngineConstants {
  let best = shippedConstants();
  let bestErrs = evaluateConstants(rows, best);
  const keys = Object.keys(FIT_GRID) as (keyof EngineConstants)[];
  for (let pass = 0; pass < 2; pass++) {
    let moved = false;
    for (const k of keys) {
      let bestScore = objective(bestErrs, k);
      for (const v of FIT_GRID[k]) {
        if (v === best[k]) continue;
        const trial = { ...best, [k]: v };
        const errs = evaluateConstants(rows, trial);
        const s = objective(errs, k);
        if (s < bestScore - 1e-6) {
          bestScore = s;
          best = trial;
          bestErrs = errs;
          moved = true;
        }
      }
      log(`  pass ${pass + 1} ${k} = ${best[k]} (${TTFT_CONSTANTS.has(k) ? "TTFT" : "TPOT"} ${(bestScore * 100).toFixed(2)}%)`);
    }
    if (!moved) break;
  }
  return best;
}

export interface HeldOutCampaign extends CampaignError {
  /** The constants fitted without this campaign. */
  fit: EngineConstants;
}

export interface LeaveOneCampaignOut {
  campaigns: HeldOutCampaign[];
  /** Means over campaigns, each weighing the same. */
  meanTtftMape: number;
  meanTpotMape: number;
  /** Means over rows. */
  rowWeightedTtftMape: number;
  rowWeightedTpotMape: number;
  skipped: number;
}

/**
 * For each campaign of `rows` (the ones the simulator models), fits the constants on the others and
 * predicts it. Needs at least two campaigns.
 */
export function leaveOneCampaignOut(all: readonly E2eRow[], opts: { fitRows?: number; log?: (s: string) => void } = {}): LeaveOneCampaignOut {
  const rows = all.filter((r) => skipReason(r) === undefined);
  const log = opts.log ?? (() => {});
  const perCampaign = opts.fitRows ?? DEFAULT_FIT_ROWS;
  const campaigns = [...new Set(rows.map(campaignOf))].sort();
  const held: HeldOutCampaign[] = [];
  for (const c of campaigns) {
    log(`leave out ${c}:`);
    const fit = fitConstants(subsample(rows.filter((r) => campaignOf(r) !== c), perCampaign), log);
    const [e] = evaluateConstants(rows.filter((r) => campaignOf(r) === c), fit);
    held.push({ ...e, fit });
    log(`  held out ${c} (${e.rows} rows): TTFT ${(e.ttftMape * 100).toFixed(1)}% TPOT ${(e.tpotMape * 100).toFixed(1)}%`);
  }
  const mean = (f: (e: CampaignError) => number) => held.reduce((s, e) => s + f(e), 0) / Math.max(1, held.length);
  const n = held.reduce((s, e) => s + e.rows, 0);
  const rowMean = (f: (e: CampaignError) => number) => held.reduce((s, e) => s + f(e) * e.rows, 0) / Math.max(1, n);
  const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
  return {
    campaigns: held,
    meanTtftMape: r4(mean((e) => e.ttftMape)), meanTpotMape: r4(mean((e) => e.tpotMape)),
    rowWeightedTtftMape: r4(rowMean((e) => e.ttftMape)), rowWeightedTpotMape: r4(rowMean((e) => e.tpotMape)),
    skipped: all.length - rows.length,
  };
}
