/**
 * The workload tables a search (or verify) run needs, one per seed, built once on the main thread
 * and shared with the workers: the search seed's, and the confirmation (or verify) seeds'. A
 * synthetic workload is generated per seed, and generated further than the spec's request count
 * where a rate needs more requests to replay `trialWindowS` of arrivals (`fullRequests`; the
 * generator is prefix-stable: the first rows are the spec's workload either way). A trace is one
 * table for every seed.
 */
import type { SloTargets } from "../results/point.js";
import { buildRequestTable, checkArrivalSpan, type ContextLimit } from "../io/load-workload.js";
import type { SeedTables } from "../runner/trial.js";
import { trialWindowS, type WorkloadRows } from "./context.js";
import type { SearchInputs } from "./search-inputs.js";
import { profileWorkload, type WorkloadProfile } from "./workload-profile.js";

export interface SeedWorkloads {
  tables: SeedTables;
  /** Profile of the first seed's workload as the spec writes it. */
  profile: WorkloadProfile;
  rows: WorkloadRows;
  /** The demanded rate: the spec's `minThroughputRps`, else the workload's own rate, req/s. */
  demandRps: number;
  /** True when the tables were generated (synthetic), so rows beyond the spec's exist. */
  extendable: boolean;
}

/**
 * Builds the tables of `seeds` (the first one profiled). `highestRps(demandRps, profile)` is the
 * highest rate any trial will replay the workload at; synthetic tables hold enough rows for it.
 */
export async function loadSeedWorkloads(
  inp: Pick<SearchInputs, "workload" | "specDir">, targets: SloTargets, seeds: readonly number[],
  highestRps: (demandRps: number, profile: WorkloadProfile) => number, context: ContextLimit & { file: string; path: string },
): Promise<SeedWorkloads> {
  const w = inp.workload;
  const base = await buildRequestTable(w, inp.specDir, seeds[0], context);
  checkArrivalSpan(base, w, context.file, context.path);
  const profile = profileWorkload(base, targets);
  const demandRps = targets.minThroughputRps ?? profile.naturalRps;
  if (w.kind === "trace") {
    return { tables: { tables: [{ seeds: [...seeds], table: base }] }, profile, rows: { specRequests: base.count, tableRequests: base.count }, demandRps, extendable: false };
  }
  const tableRequests = Math.max(base.count, Math.ceil(highestRps(demandRps, profile) * trialWindowS(profile)));
  const tables: SeedTables["tables"] = [];
  for (const s of seeds) {
    const table = s === seeds[0] && tableRequests === base.count ? base : await buildRequestTable({ ...w, requests: tableRequests }, inp.specDir, s, context);
    tables.push({ seeds: [s], table });
  }
  return { tables: { tables }, profile, rows: { specRequests: base.count, tableRequests }, demandRps, extendable: true };
}
