/**
 * The replica count of one deployment walked at the demanded load: the last step of stage 2 (per
 * router policy) and of every stage-3 variant. A resumable generator (driver.ts).
 */
import type { Deployment } from "../config/types.js";
import type { Point } from "../results/point.js";
import type { TrialResult } from "../runner/trial.js";
import { constraintScope, lookupGpu } from "./constraints/scope.js";
import { pointOf, replicaLimit, trialAt, withChanges, type SearchContext } from "./context.js";
import type { TrialGen } from "./driver.js";

function allowed(ctx: SearchContext, d: Deployment): boolean {
  return ctx.constraints.allows(constraintScope(d, lookupGpu(d.gpu, ctx.prices)));
}

export interface ReplicaWalk {
  points: Point[];
  /** Fewest replicas that met the SLO, or undefined. */
  best?: Point;
}

/**
 * Walks the replica count of `d` at the demanded load from `start`: down while it keeps meeting
 * the SLO, up while it misses (a few steps each way), returning every evaluated point.
 */
export function* replicaWalk(ctx: SearchContext, d: Deployment, start: number, stage: 2 | 3, capacityPerReplica: number): TrialGen<ReplicaWalk> {
  const limit = replicaLimit(ctx, d);
  const points: Point[] = [];
  const at = function* (n: number): TrialGen<Point | undefined> {
    const dn = withChanges(d, (x) => {
      x.replicas = n;
    });
    if (!allowed(ctx, dn)) return undefined;
    const r: TrialResult = yield trialAt(ctx, dn, ctx.demandRps);
    // A cluster that meets the SLO at the demand sustains at least the demand.
    const cap = capacityPerReplica > 0 ? capacityPerReplica * n : r.throughputRps;
    const p = pointOf(stage, dn, r, r.sloMet ? Math.max(cap, ctx.demandRps) : cap);
    points.push(p);
    return p;
  };
  let n = Math.min(limit, Math.max(1, start));
  let best: Point | undefined;
  const first = yield* at(n);
  if (first?.sloMet) {
    best = first;
    for (let i = 0; i < 3 && n > 1; i++) {
      const p = yield* at(n - 1);
      if (!p?.sloMet) break;
      best = p;
      n--;
    }
  } else {
    for (let i = 0; i < 3 && n < limit; i++) {
      n++;
      const p = yield* at(n);
      if (p?.sloMet) {
        best = p;
        break;
      }
    }
  }
  return { points, best };
}

