/**
 * The confirmation stage: before a point is called SLO-meeting in the frontier or recommended, it is
 * simulated on the full workload of every confirmation seed (never the search seed) at the planned
 * demand and must meet every target under each; its latencies are then the worst of those runs. A
 * point that fails is no longer SLO-meeting, and the same deployment with one more replica is
 * evaluated in its place; points it dominated may then reach the frontier and are confirmed in turn.
 * A confirmed point's deployment with one replica fewer is tried too, whatever the search seed said
 * of it. Every confirmed point gets a measured capacity (capacity.ts) on the same seeds, and a point
 * whose capacity is the demand itself (it misses one 2.5% step above) is not confirmed either: at
 * the edge, three seeds passing is luck (such a point held on 19 of 20 unseen seeds).
 *
 * The loop ends when every frontier point has been confirmed: each round tries at least one
 * deployment it never tried before, and there are finitely many.
 */
import type { Deployment } from "../config/types.js";
import { paretoFrontier } from "../results/pareto.js";
import type { Confirmation, Point, PointLatency } from "../results/point.js";
import type { TrialResult } from "../runner/trial.js";
import { atTheEdge, measureCapacity, RATE_RESOLUTION } from "./capacity.js";
import { confirmTrial, pointId, replicaLimit, trialAt, withReplicas, type SearchContext } from "./context.js";
import { all, one, type TrialDriver, type TrialGen } from "./driver.js";
import type { PointBook } from "./point-book.js";
import { clusterPoint, searchable } from "./replica-search.js";
import type { StageTracker } from "./stage-tracker.js";

export const CONFIRM_NAME = "confirmation and capacity";

interface ConfirmOutcome {
  confirmation: Confirmation;
  met: boolean;
  capacityRps?: number;
  atLeast?: boolean;
  capped: boolean;
  /** The confirmation runs at the planned demand (stopped at the first miss for a step down). */
  atPlan: TrialResult[];
  /** Why a deployment that met the SLO on every confirmation seed is still not confirmed. */
  note?: string;
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

/** The highest latency per metric over runs that all met the SLO (complete runs: exact percentiles). */
function worstLatency(rs: readonly TrialResult[]): PointLatency {
  const out: PointLatency = { ttftMs: Math.max(...rs.map((r) => r.latency.ttftMs)), tpotMs: Math.max(...rs.map((r) => r.latency.tpotMs)) };
  if (rs.every((r) => r.latency.e2eMs !== undefined)) out.e2eMs = Math.max(...rs.map((r) => r.latency.e2eMs!));
  return out;
}

/**
 * Confirms `d` at the planned demand on every confirmation seed, then measures its capacity. A
 * deployment the search seed already passed runs its seeds together; one it did not (a step down)
 * runs them one by one and stops at the first miss, which is then usually one early-stopped run.
 */
function* confirmDeployment(ctx: SearchContext, d: Deployment, searchMet: boolean): TrialGen<ConfirmOutcome> {
  const tasks = ctx.confirmSeeds.map((s) => confirmTrial(ctx, d, s, ctx.planRps));
  let atPlan: TrialResult[];
  if (searchMet) {
    atPlan = yield* all(tasks);
  } else {
    atPlan = [];
    for (const t of tasks) {
      const r = yield* one(t);
      atPlan.push(r);
      if (r.capped || !r.fits || !r.sloMet) break;
    }
  }
  const confirmation = confirmationOf(ctx, ctx.planRps, atPlan);
  if (atPlan.some((r) => r.capped)) return { confirmation, met: false, capped: true, atPlan };
  if (atPlan.length < tasks.length || !atPlan.every((r) => r.fits && r.sloMet)) return { confirmation, met: false, capped: false, atPlan };
  const atPlanSearch = searchMet ? yield* one(trialAt(ctx, d, ctx.planRps)) : undefined;
  const m = yield* measureCapacity(ctx, d, ctx.planRps, atPlanSearch, atPlan);
  if (m.capped) return { confirmation, met: true, capped: true, atPlan };
  if (atTheEdge(ctx.planRps, m)) {
    // At the edge: it misses one capacity step (2.5%) above the demand, well inside the spread of
    // a percentile between seeds, so a fourth seed's traffic would miss about as often as not.
    const note = `no margin: met at ${round3(ctx.planRps)} req/s on every confirmation seed but missed at ${round3(m.badRps)} req/s, ` +
      `${(RATE_RESOLUTION * 100).toFixed(1)}% above; other traffic of the same shape would miss`;
    return { confirmation, met: false, capped: false, atPlan, note };
  }
  return { confirmation, met: true, capacityRps: m.okRps, atLeast: m.atLeast, capped: false, atPlan };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** Why a point failed confirmation, from its first missing seed. */
function failureNote(c: Confirmation): string {
  const miss = c.seeds.find((s) => !s.sloMet);
  return `failed confirmation on seed ${miss?.seed}'s full workload at ${c.rateRps} req/s: ${miss?.note ?? "a target is missed"}`;
}

/** A deployment the stage tries: a frontier point, or one replica fewer than a confirmed point. */
interface Attempt {
  d: Deployment;
  /** Its point, when the book has one. */
  p?: Point;
  /** The search seed met the SLO with it. */
  searchMet: boolean;
  stage: 1 | 2 | 3;
}

/**
 * Runs the confirmation stage over the book's points; returns how many points it confirmed. Each
 * round confirms the frontier points not tried yet and, for every point confirmed in the round
 * before, the same deployment with one replica fewer: the confirmation seeds, not the search seed,
 * decide what meets the SLO, so a deployment the search seed just missed is still tried, and
 * searches with different seeds reach the same answer.
 */
export async function runConfirmation(ctx: SearchContext, driver: TrialDriver, book: PointBook, stages: StageTracker): Promise<number> {
  const tried = new Set<string>();
  let confirmed = 0;
  let stepDowns: Attempt[] = [];
  const eligible = () => book.all().filter((p) => p.sloMet);
  const perAttempt = ctx.confirmSeeds.length * 2 + 5;
  stages.begin(4, CONFIRM_NAME, paretoFrontier(eligible(), ctx.targets).length * perAttempt);
  while (!driver.cut) {
    const todo: Attempt[] = paretoFrontier(eligible(), ctx.targets)
      .filter((p) => !tried.has(p.id))
      .map((p) => ({ d: p.deployment, p, searchMet: true, stage: p.stage }));
    for (const a of stepDowns) if (!tried.has(pointId(a.d)) && !todo.some((t) => pointId(t.d) === pointId(a.d))) todo.push(a);
    stepDowns = [];
    if (todo.length === 0) break;
    stages.expect(todo.length * perAttempt);
    const outcomes = await driver.runAll(todo.map((a) => confirmDeployment(ctx, a.d, a.searchMet)));
    const stepUps: TrialGen<Point | undefined>[] = [];
    todo.forEach((a, i) => {
      const o = outcomes[i];
      tried.add(pointId(a.d));
      if (a.p) tried.add(a.p.id);
      if (o.capped) return; // Not confirmed (the run was cut): never reported as meeting the SLO in the frontier.
      if (!o.met) {
        // A step down never simulated before is listed too, as the miss its first failing seed showed.
        const p = a.p ?? book.add(a.stage, a.d, o.atPlan[o.atPlan.length - 1]);
        if (!p) return;
        p.confirmation = o.confirmation;
        p.sloMet = false;
        // A step down the book already knew as a miss keeps its note unless this found a new reason.
        if (a.searchMet || !a.p || o.note) p.note = o.note ?? failureNote(o.confirmation);
        if (!a.searchMet) return;
        const n = a.d.replicas + 1;
        if (n <= replicaLimit(ctx, a.d) && !book.has(withReplicas(a.d, n))) stepUps.push(clusterPoint(ctx, book, a.stage === 3 ? 3 : 2, a.d, n));
        return;
      }
      // Met on every confirmation seed: the point's latencies are the worst of those complete runs.
      const p = a.p ?? book.add(a.stage, a.d, o.atPlan[0])!;
      p.confirmation = o.confirmation;
      p.latency = worstLatency(o.atPlan);
      p.sloMet = true;
      delete p.note;
      delete p.earlyStopped;
      p.confirmedSeeds = [...ctx.confirmSeeds];
      book.setMeasured(p.id, o.capacityRps!, Boolean(o.atLeast));
      confirmed++;
      const fewer = a.d.replicas - 1;
      if (fewer >= 1 && searchable(ctx, withReplicas(a.d, fewer))) {
        const down = withReplicas(a.d, fewer);
        const known = book.get(pointId(down));
        if (!tried.has(pointId(down)) && !(known && known.sloMet)) stepDowns.push({ d: down, p: known, searchMet: false, stage: a.stage });
      }
    });
    if (stepUps.length > 0) await driver.runAll(stepUps);
  }
  stages.end(4, CONFIRM_NAME);
  return confirmed;
}
