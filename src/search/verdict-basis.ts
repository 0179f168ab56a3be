/**
 * How many requests each SLO verdict of a run rested on, for frontier.json and summary.md: per
 * target, the requests its percentile needs for a tail of `TAIL_REQUESTS`, the fewest a search
 * trial used, and what each confirmation run used (the seed's full workload).
 */
import type { VerdictBasis } from "../results/frontier-file.js";
import type { SeedTables, TrialResult } from "../runner/trial.js";
import { requestsNeeded, samplesIn, targetMetrics, TAIL_REQUESTS } from "../runner/verdict.js";
import { fullRequests, type SearchContext } from "./context.js";

/** The verdict basis of a run from the trials it used (`used`: ids) and the seeds' tables. */
export function verdictBasis(ctx: SearchContext, tables: SeedTables, results: ReadonlyMap<string, TrialResult>, used: ReadonlySet<string>): VerdictBasis[] {
  const metrics = targetMetrics(ctx.targets);
  const bySeed = new Map<number, SeedTables["tables"][number]["table"]>();
  for (const t of tables.tables) for (const s of t.seeds) bySeed.set(s, t.table);
  return metrics.map((m) => {
    const percentile = ctx.targets[m]!.percentile;
    let fewest = Infinity;
    for (const id of used) {
      const n = results.get(id)?.samples?.[m];
      if (n !== undefined && n > 0) fewest = Math.min(fewest, n);
    }
    // The spec's workload, and what a confirmation run replays at the planned rate (the tables may
    // hold more rows, generated for faster capacity probes).
    const search = bySeed.get(ctx.seed)!;
    const available = samplesIn(search, ctx.rows.specRequests, metrics)[m];
    const full = fullRequests(ctx.profile, ctx.rows, ctx.planRps);
    const confirm = ctx.confirmSeeds.map((s) => samplesIn(bySeed.get(s)!, full, metrics)[m]);
    const trialRequests = Number.isFinite(fewest) ? fewest : 0;
    const needed = requestsNeeded(percentile);
    return {
      metric: m,
      percentile,
      requestsNeeded: needed,
      workloadRequests: available,
      trialRequests,
      trialTailRequests: Math.floor(trialRequests * (1 - percentile / 100) + 1e-9),
      confirmRequests: confirm.length > 0 ? Math.min(...confirm) : 0,
      enough: trialRequests >= needed,
      tailTarget: TAIL_REQUESTS,
    };
  });
}
