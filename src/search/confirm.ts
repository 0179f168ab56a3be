/**
 * The confirmation stage: before a point is called SLO-meeting in the frontier or recommended, it is
 * simulated on the full workload of every confirmation seed (never the search seed) at the planned
 * demand and must meet every target under each. A point that fails is no longer SLO-meeting, and
 * the same deployment with one more replica is evaluated in its place; points it dominated may
 * then reach the frontier and are confirmed in turn. Every confirmed frontier point gets a measured
 * capacity (capacity.ts), which the confirmation seeds must also meet (else it backs off).
 *
 * Unmeasured points carry a capacity lower bound (the highest rate they were seen to meet the SLO
 * at), so measuring frontier points only raises their capacity and can only push other points off
 * the frontier: the loop ends when every frontier point is confirmed and measured.
 */
import { paretoFrontier } from "../results/pareto.js";
import type { Confirmation, Point } from "../results/point.js";
import type { TrialResult } from "../runner/trial.js";
import { measureCapacity } from "./capacity.js";
import { confirmTrial, replicaLimit, trialAt, withReplicas, type SearchContext } from "./context.js";
import { all, one, type TrialDriver, type TrialGen } from "./driver.js";
import type { PointBook } from "./point-book.js";
import { clusterPoint } from "./replica-search.js";
import type { StageTracker } from "./stage-tracker.js";

export const CONFIRM_NAME = "confirmation and capacity";

interface ConfirmOutcome {
  confirmation: Confirmation;
  met: boolean;
  capacityRps?: number;
  atLeast?: boolean;
  capped: boolean;
}

function confirmationOf(ctx: SearchContext, rateRps: number, results: readonly TrialResult[]): Confirmation {
  return {
    rateRps: Math.round(rateRps * 1000) / 1000,
    seeds: results.map((r, i) => ({
      seed: ctx.confirmSeeds[i],
      sloMet: r.sloMet,
      latency: r.latency,
      ...(r.earlyStopped ? { earlyStopped: true } : {}),
      ...(r.note ? { note: r.note } : {}),
    })),
  };
}

/** Confirms one point at the planned demand, then measures its capacity. */
function* confirmPoint(ctx: SearchContext, p: Point): TrialGen<ConfirmOutcome> {
  const d = p.deployment;
  const atPlan = yield* all(ctx.confirmSeeds.map((s) => confirmTrial(ctx, d, s, ctx.planRps)));
  const confirmation = confirmationOf(ctx, ctx.planRps, atPlan);
  if (atPlan.some((r) => r.capped)) return { confirmation, met: false, capped: true };
  if (!atPlan.every((r) => r.fits && r.sloMet)) return { confirmation, met: false, capped: false };
  const atPlanSearch = yield* one(trialAt(ctx, d, ctx.planRps));
  const m = yield* measureCapacity(ctx, d, ctx.planRps, atPlanSearch, atPlan);
  if (m.capped) return { confirmation, met: true, capped: true };
  return { confirmation, met: true, capacityRps: m.okRps, atLeast: m.atLeast, capped: false };
}

/** Why a point failed confirmation, from its first missing seed. */
function failureNote(c: Confirmation): string {
  const miss = c.seeds.find((s) => !s.sloMet);
  return `failed confirmation on seed ${miss?.seed}'s full workload at ${c.rateRps} req/s: ${miss?.note ?? "a target is missed"}`;
}

/** Runs the confirmation stage over the book's points; returns how many points it confirmed. */
export async function runConfirmation(ctx: SearchContext, driver: TrialDriver, book: PointBook, stages: StageTracker): Promise<number> {
  const tried = new Set<string>();
  let confirmed = 0;
  const eligible = () => book.all().filter((p) => p.sloMet);
  const first = paretoFrontier(eligible(), ctx.targets).length;
  stages.begin(4, CONFIRM_NAME, first * (ctx.confirmSeeds.length * 2 + 5));
  while (!driver.cut) {
    const todo = paretoFrontier(eligible(), ctx.targets).filter((p) => !tried.has(p.id));
    if (todo.length === 0) break;
    stages.expect(todo.length * (ctx.confirmSeeds.length * 2 + 5));
    const outcomes = await driver.runAll(todo.map((p) => confirmPoint(ctx, p)));
    const stepUps: TrialGen<Point | undefined>[] = [];
    todo.forEach((p, i) => {
      const o = outcomes[i];
      tried.add(p.id);
      p.confirmation = o.confirmation;
      if (o.capped) {
        // Not confirmed (the run was cut): never reported as meeting the SLO in the frontier.
        return;
      }
      if (!o.met) {
        p.sloMet = false;
        p.note = failureNote(o.confirmation);
        const n = p.deployment.replicas + 1;
        if (n <= replicaLimit(ctx, p.deployment) && !book.has(withReplicas(p.deployment, n))) {
          stepUps.push(clusterPoint(ctx, book, p.stage === 3 ? 3 : 2, p.deployment, n));
        }
        return;
      }
      p.confirmedSeeds = [...ctx.confirmSeeds];
      book.setMeasured(p.id, o.capacityRps!, Boolean(o.atLeast));
      confirmed++;
    });
    if (stepUps.length > 0) await driver.runAll(stepUps);
  }
  stages.end(4, CONFIRM_NAME);
  return confirmed;
}
