/**
 * Stage 2, routing co-evaluation on cluster simulations at the planned demand. For each stage-1
 * candidate, the fewest replicas that meet every target under the space's first router policy,
 * starting from stage 1's estimate (replica-search.ts). Then the other policies, where they can
 * matter: one fewer replica (a policy that balances better or hits the prefix cache more can save
 * one), and the same count for the cheapest candidates (equal cost, maybe more headroom). With one
 * replica every policy routes the same way, so only the first is simulated.
 */
import type { Deployment } from "../config/types.js";
import { sloPressure } from "../results/pareto.js";
import type { Point } from "../results/point.js";
import { replicaLimit, withChanges, type SearchContext } from "./context.js";
import type { TrialDriver, TrialGen } from "./driver.js";
import type { PointBook } from "./point-book.js";
import { clusterPoint, fewestReplicas, walkDown, type ReplicaSearch } from "./replica-search.js";
import type { Stage1Candidate } from "./stage1.js";
import type { StageTracker } from "./stage-tracker.js";

export const STAGE2_NAME = "routing co-evaluation";

/** Other policies are simulated for candidates whose cost at one replica fewer is within this of the best. */
const POLICY_COST_SLACK = 0.1;
/**
 * A candidate's replica search does not grow its cluster past this multiple of the cheapest
 * cluster that met the SLO at its first probe: a deployment that costs more is not worth knowing.
 */
const COST_SPAN = 3;

/** What stage 2 found for one candidate. */
export interface CandidateResult {
  candidate: Stage1Candidate;
  /** The cheapest SLO-meeting point over the policies tried, or undefined. */
  best?: Point;
  points: Point[];
}

export interface Stage2Result {
  results: CandidateResult[];
}

function withPolicy(d: Deployment, policy: Deployment["router"]["policy"]): Deployment {
  return withChanges(d, (x) => {
    x.router = { policy };
  });
}

/** Replicas stage 1's capacity estimate asks for. */
export function estimatedReplicas(ctx: SearchContext, c: Stage1Candidate): number {
  return Math.min(replicaLimit(ctx, c.deployment), Math.max(1, Math.ceil(ctx.planRps / Math.max(1e-9, c.capacityRps))));
}

/** The better of two points: lower cost, then lower SLO pressure (more headroom), then id. */
function better(ctx: SearchContext, a: Point | undefined, b: Point | undefined): Point | undefined {
  if (!a) return b;
  if (!b) return a;
  const c = a.costUsdPerHour - b.costUsdPerHour || sloPressure(a, ctx.targets) - sloPressure(b, ctx.targets);
  return c < 0 || (c === 0 && a.id <= b.id) ? a : b;
}

/** Runs stage 2 for `candidates` on the driver, in candidate then policy order. */
export async function runStage2(
  ctx: SearchContext, driver: TrialDriver, book: PointBook, candidates: readonly Stage1Candidate[], stages: StageTracker,
): Promise<Stage2Result> {
  const [first, ...others] = ctx.space.routerPolicies;
  stages.begin(2, STAGE2_NAME, candidates.length * 4);
  // Every candidate at its estimated replica count first (one round): the cheapest that meets the
  // SLO bounds how far the others may grow. A round of its own, so the bound never depends on how
  // far other searches got (resumed runs take identical decisions).
  const starts = candidates.map((c) => estimatedReplicas(ctx, c));
  const probes = await driver.runAll(candidates.map((c, i) => clusterPoint(ctx, book, 2, withPolicy(c.deployment, first), starts[i])));
  let bound = Infinity;
  for (const p of probes) if (p?.sloMet) bound = Math.min(bound, COST_SPAN * p.costUsdPerHour);
  const firstRuns: ReplicaSearch[] = await driver.runAll(
    candidates.map((c, i) => fewestReplicas(ctx, book, 2, withPolicy(c.deployment, first), starts[i], bound)),
  );
  const results: CandidateResult[] = candidates.map((c, i) => ({ candidate: c, best: firstRuns[i].best, points: [...firstRuns[i].points] }));
  let bestCost = Infinity;
  for (const r of results) if (r.best) bestCost = Math.min(bestCost, r.best.costUsdPerHour);
  // Other policies where they can change the answer: a replica fewer within reach of the best cost.
  const gens: TrialGen<ReplicaSearch>[] = [];
  const owners: CandidateResult[] = [];
  if (!driver.cut) {
    for (const r of results) {
      const n = r.best?.deployment.replicas ?? 0;
      if (n <= 1) continue;
      const perReplica = r.best!.costUsdPerHour / n;
      const start = perReplica * (n - 1) <= bestCost * (1 + POLICY_COST_SLACK) ? (r.best!.costUsdPerHour <= bestCost ? n : n - 1) : 0;
      if (start === 0) continue;
      for (const policy of others) {
        gens.push(walkDown(ctx, book, 2, withPolicy(r.candidate.deployment, policy), start, start === n ? 2 : 1));
        owners.push(r);
      }
    }
  }
  stages.expect(gens.length * 2);
  const walks = await driver.runAll(gens);
  walks.forEach((w, i) => {
    owners[i].points.push(...w.points);
    owners[i].best = better(ctx, owners[i].best, w.best);
  });
  stages.end(2, STAGE2_NAME);
  return { results };
}
