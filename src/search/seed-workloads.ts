/**
 * The workload tables a search (or verify) run needs, one per seed, built once on the main thread
 * and shared with the workers: the search seed's, and the confirmation (or verify) seeds'. A
 * synthetic workload is generated per seed, and generated further than the spec's request count
 * where a rate needs more requests to replay `trialWindowS` of arrivals (`fullRequests`; the
 * generator is prefix-stable: the first rows are the spec's workload either way). A trace is one
 * table for every seed.
 */
import { LIMITS } from "../config/schemas/workload.schema.js";
import { InputError } from "../errors.js";
import { tableSizeIssues } from "../inputs/workload-limits.js";
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
  const topRps = highestRps(demandRps, profile);
  const tableRequests = Math.max(base.count, Math.ceil(topRps * trialWindowS(profile)));
  // The extended table must stay within the same memory bound as a spec's own (inputs/workload-limits.ts).
  const big = tableSizeIssues({ ...w, requests: tableRequests }, context.file, context.path);
  if (tableRequests > LIMITS.requests || big.length > 0) {
    throw new InputError({
      file: context.file,
      path: `${context.path}/requests`,
      message: `replaying ${trialWindowS(profile).toFixed(0)} s of arrivals at up to ${topRps.toFixed(1)} req/s (the rates the search probes) takes ` +
        `${tableRequests.toLocaleString("en-US")} requests, beyond what one request table may hold (${LIMITS.requests.toLocaleString("en-US")} requests, ` +
        "2^28 prefix blocks); expected a lower demand (arrival.ratePerS, targets.minThroughputRps) or shorter requests",
    });
  }
  const tables: SeedTables["tables"] = [];
  for (const s of seeds) {
    const table = s === seeds[0] && tableRequests === base.count ? base : await buildRequestTable({ ...w, requests: tableRequests }, inp.specDir, s, context);
    tables.push({ seeds: [s], table });
  }
  return { tables: { tables }, profile, rows: { specRequests: base.count, tableRequests }, demandRps, extendable: true };
}

/** The longest request (prompt + answer, tokens) of any seed's table: what a deployment must serve. */
export function longestRequestTokens(tables: SeedTables): number {
  let longest = 0;
  for (const { table: t } of tables.tables) {
    for (let i = 0; i < t.count; i++) longest = Math.max(longest, t.inputTokens[i] + t.outputTokens[i]);
  }
  return longest;
}
