/**
 * Stage 2, routing co-evaluation: for each stage-1 candidate, a binary search of the replica count
 * on single-replica simulations (capacity-search.ts); then, for each router policy, the replica
 * count of the real cluster walked from there to the fewest replicas that meet every target at the
 * demand (replica-walk.ts). With one replica every policy routes the same way, so only the first
 * is simulated.
 */
import type { Deployment } from "../config/types.js";
import { capacitySearch, type CapacityResult } from "./capacity-search.js";
import { replicaLimit, withChanges, type SearchContext } from "./context.js";
import type { TrialDriver, TrialGen } from "./driver.js";
import { replicaWalk, type ReplicaWalk } from "./replica-walk.js";
import type { Stage1Candidate } from "./stage1.js";
import type { StageTracker } from "./stage-tracker.js";

export const STAGE2_NAME = "routing co-evaluation";

/** Stage 2 for one candidate and one policy, after its capacity is known. */
export function* routingEvaluation(ctx: SearchContext, cap: CapacityResult, policy: Deployment["router"]["policy"]): TrialGen<ReplicaWalk> {
  const d = withChanges(cap.candidate.deployment, (x) => {
    x.router = { policy };
  });
  const start = cap.replicas > 0 ? cap.replicas : replicaLimit(ctx, d);
  return yield* replicaWalk(ctx, d, start, 2, cap.capacityRps);
}

/** What stage 2 found: each candidate's capacity, and each (candidate, policy) replica walk. */
export interface Stage2Result {
  caps: CapacityResult[];
  walks: { cap: CapacityResult; walk: ReplicaWalk }[];
}

/** Runs stage 2 for `candidates` on the driver, in candidate then policy order. */
export async function runStage2(ctx: SearchContext, driver: TrialDriver, candidates: readonly Stage1Candidate[], stages: StageTracker): Promise<Stage2Result> {
  const policies = ctx.space.routerPolicies;
  stages.begin(2, STAGE2_NAME, candidates.length * (8 + 2 * policies.length));
  const caps: CapacityResult[] = await driver.runAll(candidates.map((c) => capacitySearch(ctx, c)));
  const gens: TrialGen<ReplicaWalk>[] = [];
  const owners: CapacityResult[] = [];
  for (const cap of caps) {
    const multi = cap.replicas !== 1;
    for (const policy of multi ? policies : policies.slice(0, 1)) {
      gens.push(routingEvaluation(ctx, cap, policy));
      owners.push(cap);
    }
  }
  stages.expect(gens.length * 2);
  const results = await driver.runAll(gens);
  stages.end(2, STAGE2_NAME);
  return { caps, walks: results.map((walk, i) => ({ cap: owners[i], walk })) };
}
