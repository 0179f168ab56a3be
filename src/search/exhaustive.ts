/**
 * `--exhaustive`: every configuration of the space's grid simulated at the demanded load, for
 * checking the staged search on small spaces. maxRunningRequests takes the powers of two inside
 * its range plus both ends; replicas go from 1 to the space's limit.
 */
import type { Deployment } from "../config/types.js";
import { validateSchema } from "../config/validate.js";
import { InputError } from "../errors.js";
import { prepareDeployment } from "../runner/prepare.js";
import { replicaLimit, trialAt, type SearchContext } from "./context.js";
import { one, type TrialDriver } from "./driver.js";
import type { PointBook } from "./point-book.js";
import { searchable } from "./replica-search.js";
import { execGrid } from "./space.js";
import type { StageTracker } from "./stage-tracker.js";

/** maxRunningRequests values of the exhaustive grid. */
export function batchGrid(lo: number, hi: number): number[] {
  const out = new Set<number>([lo, hi]);
  for (let b = 1; b <= hi; b *= 2) if (b >= lo) out.add(b);
  return [...out].sort((a, b) => a - b);
}

/**
 * Every deployment of the grid that fits in memory, whose KV tiers fit its nodes (host memory, local
 * NVMe) and that passes the constraints, in grid order.
 */
export function exhaustiveGrid(ctx: SearchContext): Deployment[] {
  const s = ctx.space;
  const out: Deployment[] = [];
  const tiers: Deployment["kvCache"][] = [{} as Deployment["kvCache"]];
  for (const l2 of s.l2CapacityGb) {
    for (const e of s.evictionPolicies) for (const w of s.writePolicies) {
      tiers.push({ l2: { capacityGb: l2 }, evictionPolicy: e, writePolicy: w } as Deployment["kvCache"]);
      for (const media of s.l3Media) for (const l3 of s.l3CapacityGb) for (const pf of s.prefetchPolicies) {
        tiers.push({ l2: { capacityGb: l2 }, l3: { media, capacityGb: l3 }, evictionPolicy: e, writePolicy: w, prefetchPolicy: pf } as Deployment["kvCache"]);
      }
    }
  }
  for (const e of execGrid(s)) {
    const probe = validateSchema<Deployment>("deployment", { model: ctx.model, gpu: e.gpu, tp: e.tp, weights: e.weights, kvDtype: e.kvDtype, engine: { kind: e.engine } });
    let fits = false;
    try {
      fits = prepareDeployment(probe, undefined, { allowNoFit: true, prices: ctx.prices }).memory.fits;
    } catch {
      fits = false;
    }
    if (!fits) continue;
    const chunks = s.chunkedPrefillSize.length > 0 ? s.chunkedPrefillSize : [undefined];
    for (const mrr of batchGrid(s.maxRunningRequests[0], s.maxRunningRequests[1])) for (const chunk of chunks) {
      const limit = replicaLimit(ctx, probe);
      for (let r = 1; r <= limit; r++) {
        // With one replica every router policy routes the same way: simulate one.
        const policies = r === 1 ? s.routerPolicies.slice(0, 1) : s.routerPolicies;
        for (const policy of policies) for (const kv of tiers) {
          const d = validateSchema<Deployment>("deployment", {
            model: ctx.model, gpu: e.gpu, tp: e.tp, weights: e.weights, kvDtype: e.kvDtype,
            engine: { kind: e.engine, maxRunningRequests: mrr, ...(chunk ? { chunkedPrefillSize: chunk } : {}) },
            replicas: r, router: { policy }, kvCache: structuredClone(kv),
          });
          if (searchable(ctx, d)) out.push(d);
        }
      }
    }
  }
  return out;
}

/**
 * Simulates the whole grid as one stage; an empty grid is an input error naming the space file.
 * Grid points that simulate identically (a batch cap never reached changes nothing) collapse into
 * the first of them in grid order (`PointBook.add`), which lists the others in `equivalentIds`.
 */
export async function runExhaustive(
  ctx: SearchContext, driver: TrialDriver, book: PointBook, stages: StageTracker, where: { spaceFile: string; modelId: string },
): Promise<{ collapsed: number }> {
  const grid = exhaustiveGrid(ctx);
  if (grid.length === 0) throw new InputError({ file: where.spaceFile, message: `no configuration of the space can hold ${where.modelId} (or the constraints exclude them all)` });
  stages.begin(2, "exhaustive grid", grid.length);
  const results = await driver.runAll(grid.map((d) => one(trialAt(ctx, d, ctx.planRps))));
  stages.end(2, "exhaustive grid");
  grid.forEach((d, i) => book.add(2, d, results[i]));
  return { collapsed: book.collapsed };
}
