/**
 * Stage 1, execution-layer screening with the estimator only (no event simulation): memory fit,
 * the largest batch (maxRunningRequests) whose decode step meets the TPOT target at the workload's
 * typical context, the largest prefill chunk that keeps TTFT in reach, the lone-p99-prefill check,
 * and an analytical capacity per replica. Milliseconds per configuration.
 */
import type { Deployment } from "../config/types.js";
import { validateSchema } from "../config/validate.js";
import { estimatorFor, prepareDeployment } from "../runner/prepare.js";
import type { ResolvedDeployment } from "../sim/deployment/resolve.js";
import { newBatchSummary, type StepEstimator } from "../sim/estimator/types.js";
import type { ConstraintSet } from "./constraints/compile.js";
import type { PriceTable } from "../sim/deployment/cost.js";
import { constraintScope, lookupGpu } from "./constraints/scope.js";
import type { ExecConfig, ResolvedSpace } from "./space.js";
import type { ScreenReason } from "../results/frontier-file.js";
import type { SloTargets } from "../results/point.js";
import type { WorkloadProfile } from "./workload-profile.js";

/** Fraction of the TPOT target a pure decode step may use (prefill steps interleave with decodes). */
const TPOT_HEADROOM = 0.8;
/** Utilization at which the analytical capacity is quoted (queueing needs slack). */
const TARGET_UTILIZATION = 0.8;
/** At most this many candidates go on to stage 2. */
export const MAX_STAGE2_CANDIDATES = 8;

export interface Stage1Candidate {
  exec: ExecConfig;
  /** A deployment with the screened engine knobs (replicas 1, no tiers). */
  deployment: Deployment;
  maxRunningRequests: number;
  chunkedPrefillSize: number;
  kvPoolTokens: number;
  /** Estimated single-replica capacity, req/s. */
  capacityRps: number;
  /** Estimated decode step and typical prefill latency, ms. */
  tpotMs: number;
  ttftMs: number;
  /** max(latency / target) over TTFT and TPOT, from the estimates. */
  latencyBound: number;
  /** Output tokens per USD at full load: the stage-1 cost efficiency. */
  tokensPerUsd: number;
  costUsdPerHour: number;
  /** Estimated cost of serving the demand: replicas needed at the estimated capacity x cost. */
  demandCostUsdPerHour: number;
  /** Why stage 1 would not simulate it (it may still be simulated when nothing else qualifies). */
  dropReason?: string;
  dropCode?: "decode-tpot" | "lone-prefill-ttft";
}

/** A configuration stage 1 dropped: why (a code of frontier.json's `screened`), and the figures in words. */
export interface Stage1Drop {
  exec: ExecConfig;
  reason: ScreenReason;
  detail: string;
}

export interface Stage1Result {
  /** Configurations screened. */
  evaluated: number;
  /** Configurations that go on to stage 2. */
  candidates: Stage1Candidate[];
  /** Configurations that fit in memory but failed a latency screen (with their estimates). */
  screenedOut: Stage1Candidate[];
  /** Every configuration that does not go on, with its reason, in grid order. */
  screened: Stage1Drop[];
}

function baseDeployment(model: string, e: ExecConfig, engine: Partial<Deployment["engine"]> = {}): Deployment {
  return validateSchema<Deployment>("deployment", {
    model,
    gpu: e.gpu,
    tp: e.tp,
    weights: e.weights,
    kvDtype: e.kvDtype,
    engine: { kind: e.engine, ...engine },
  });
}

/** Step time (ms) of `decode` requests at `ctx` context plus one prefill chunk of `chunk` tokens. */
function stepMs(est: StepEstimator, decode: number, ctx: number, chunk: number, cached = 0): number {
  const s = newBatchSummary(2);
  s.decodeCount = decode;
  s.decodeContextSum = decode * ctx;
  if (chunk > 0) {
    s.prefillCount = 1;
    s.prefillNew[0] = chunk;
    s.prefillCached[0] = cached;
  }
  return est.stepUs(s) / 1e3;
}

/** Time (ms) to prefill `tokens` alone, chunk by chunk. */
function lonePrefillMs(est: StepEstimator, tokens: number, chunk: number): number {
  let t = 0;
  for (let done = 0; done < tokens; done += chunk) t += stepMs(est, 0, 0, Math.min(chunk, tokens - done), done);
  return t;
}

/** Screens every execution-layer configuration of the space. */
export function runStage1(opts: {
  model: string;
  space: ResolvedSpace;
  grid: ExecConfig[];
  profile: WorkloadProfile;
  targets: SloTargets;
  constraints: ConstraintSet;
  demandRps: number;
  prices: PriceTable;
}): Stage1Result {
  const { model, space, profile, targets } = opts;
  const candidates: Stage1Candidate[] = [];
  const screenedOut: Stage1Candidate[] = [];
  const dropped: Stage1Drop[] = [];
  for (const e of opts.grid) {
    const drop = (reason: ScreenReason, detail: string) => dropped.push({ exec: e, reason, detail });
    const dep0 = baseDeployment(model, e);
    let dep: ResolvedDeployment;
    try {
      dep = prepareDeployment(dep0, undefined, { allowNoFit: true, prices: opts.prices });
    } catch (err) {
      drop("shape", (err as Error).message);
      continue;
    }
    if (dep.model.numAttentionHeads % e.tp !== 0) {
      drop("shape", `tp=${e.tp} does not divide the ${dep.model.numAttentionHeads} attention heads`);
      continue;
    }
    if (e.tp > dep.gpu.gpusPerNode) {
      drop("shape", `tp=${e.tp} exceeds one ${e.gpu} node`);
      continue;
    }
    if (!opts.constraints.allows(constraintScope(dep0, lookupGpu(dep0.gpu, opts.prices)))) {
      drop("constraints", "excluded by the space's constraints");
      continue;
    }
    if (!dep.memory.fits) {
      drop("memory", `does not fit: ${dep.memory.reason}`);
      continue;
    }
    const pool = dep.memory.kvPoolTokens;
    if (pool < profile.p99SequenceTokens) {
      drop("memory", `KV pool of ${pool} tokens is smaller than the workload's p99 request (${Math.round(profile.p99SequenceTokens)} tokens)`);
      continue;
    }
    const est = estimatorFor(dep);
    const ctx = profile.meanInputTokens + profile.meanOutputTokens / 2;
    const perReq = profile.meanInputTokens + profile.meanOutputTokens;
    const [lo, hi] = space.maxRunningRequests;
    const okBatch = (b: number, budget: number) => stepMs(est, b, ctx, 0) <= budget;
    let dropReason: string | undefined;
    let dropCode: Stage1Candidate["dropCode"];
    // Largest batch whose decode step leaves headroom under the TPOT target (for prefill steps
    // interleaving with decodes), capped by what the KV pool holds at typical lengths; without
    // headroom at the smallest batch, the target itself decides.
    const kvCap = Math.max(lo, Math.floor(pool / perReq));
    const largest = (budget: number): number => {
      let a = lo;
      let b = Math.min(hi, kvCap);
      if (okBatch(b, budget)) return b;
      while (b - a > 1) {
        const m = (a + b) >> 1;
        if (okBatch(m, budget)) a = m;
        else b = m;
      }
      return a;
    };
    let batch = lo;
    if (okBatch(lo, targets.tpotMs.max * TPOT_HEADROOM)) batch = largest(targets.tpotMs.max * TPOT_HEADROOM);
    else if (okBatch(lo, targets.tpotMs.max)) batch = largest(targets.tpotMs.max);
    else {
      dropCode = "decode-tpot";
      dropReason = `a decode step of ${lo} requests already takes ${stepMs(est, lo, ctx, 0).toFixed(1)} ms (TPOT target ${targets.tpotMs.max} ms)`;
    }
    const chunks = space.chunkedPrefillSize.length > 0 ? space.chunkedPrefillSize : [dep.engine.chunkedPrefillSize];
    // Largest chunk whose step (with a full decode batch riding along) leaves half the TTFT budget.
    let chunk = chunks[0];
    for (const c of chunks) if (stepMs(est, batch, ctx, c) <= targets.ttftMs.max / 2) chunk = Math.max(chunk, c);
    const p99Prefill = lonePrefillMs(est, profile.p99InputTokens, chunk);
    if (!dropReason && p99Prefill > targets.ttftMs.max) {
      dropCode = "lone-prefill-ttft";
      dropReason = `a lone p99 prefill (${Math.round(profile.p99InputTokens)} tokens) takes ${p99Prefill.toFixed(0)} ms > TTFT target ${targets.ttftMs.max} ms`;
    }
    // Analytical capacity: GPU time per request = its prefill (less the cache hits the pool can
    // hold) plus its share of decode steps at the screened batch size.
    const hit = profile.reuse.point(pool).tokenHitRate;
    const prefillMs = lonePrefillMs(est, Math.max(1, profile.meanInputTokens * (1 - hit)), chunk);
    const decodeStep = stepMs(est, batch, ctx, 0);
    const perRequestMs = prefillMs + (profile.meanOutputTokens * decodeStep) / batch;
    const capacityRps = (TARGET_UTILIZATION * 1000) / perRequestMs;
    const ttftMs = lonePrefillMs(est, profile.meanInputTokens, chunk);
    const deployment = baseDeployment(model, e, { maxRunningRequests: batch, chunkedPrefillSize: chunk });
    const cand: Stage1Candidate = {
      exec: e,
      deployment,
      maxRunningRequests: batch,
      chunkedPrefillSize: chunk,
      kvPoolTokens: pool,
      capacityRps,
      tpotMs: decodeStep,
      ttftMs,
      latencyBound: Math.max(decodeStep / targets.tpotMs.max, ttftMs / targets.ttftMs.max, p99Prefill / targets.ttftMs.max),
      tokensPerUsd: (capacityRps * profile.meanOutputTokens * 3600) / dep.costUsdPerHour,
      costUsdPerHour: dep.costUsdPerHour,
      demandCostUsdPerHour: Math.max(1, Math.ceil(opts.demandRps / capacityRps)) * dep.costUsdPerHour,
    };
    if (dropReason) {
      cand.dropReason = dropReason;
      cand.dropCode = dropCode;
      drop(dropCode!, dropReason);
    }
    (dropReason ? screenedOut : candidates).push(cand);
  }
  const chosen = selectStage2(candidates);
  for (const c of candidates) {
    if (chosen.includes(c)) continue;
    const est = `estimated $${c.demandCostUsdPerHour.toFixed(2)}/h at the demand, latency bound ${(c.latencyBound * 100).toFixed(0)}% of the targets`;
    if (isDominated(c, candidates)) dropped.push({ exec: c.exec, reason: "dominated", detail: `${est}: another configuration is estimated no worse on both` });
    else dropped.push({ exec: c.exec, reason: "ranked-out", detail: `${est}: beyond the ${MAX_STAGE2_CANDIDATES} cheapest estimates` });
  }
  const order = new Map(opts.grid.map((e, i) => [e, i]));
  dropped.sort((a, b) => order.get(a.exec)! - order.get(b.exec)!);
  return { evaluated: opts.grid.length, candidates: chosen, screenedOut, screened: dropped };
}

/** True when another candidate is estimated no worse on latency bound and cost at demand, and better on one. */
function isDominated(c: Stage1Candidate, all: readonly Stage1Candidate[]): boolean {
  return all.some((o) => o !== c && o.latencyBound <= c.latencyBound && o.demandCostUsdPerHour <= c.demandCostUsdPerHour &&
    (o.latencyBound < c.latencyBound || o.demandCostUsdPerHour < c.demandCostUsdPerHour));
}

/**
 * Which configurations stage 2 simulates: the configuration of every GPU SKU that serves the
 * demand cheapest by the estimate (so the report can rank SKUs), then the rest of the Pareto set
 * over (latency bound down, estimated cost at demand down), cheapest first, up to `max`.
 * Configurations dominated on both are not worth a simulation.
 */
export function selectStage2(all: Stage1Candidate[], max = MAX_STAGE2_CANDIDATES): Stage1Candidate[] {
  const key = (c: Stage1Candidate) => `${c.exec.gpu}|${c.exec.tp}|${c.exec.weights}|${c.exec.kvDtype}|${c.exec.engine}`;
  const byCost = (a: Stage1Candidate, b: Stage1Candidate) =>
    a.demandCostUsdPerHour - b.demandCostUsdPerHour || b.tokensPerUsd - a.tokensPerUsd || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  const sorted = [...all].sort(byCost);
  const chosen: Stage1Candidate[] = [];
  const gpus = new Set<string>();
  for (const c of sorted) {
    if (chosen.length >= max) break;
    if (!gpus.has(c.exec.gpu)) {
      gpus.add(c.exec.gpu);
      chosen.push(c);
    }
  }
  for (const c of sorted) {
    if (chosen.length >= max) break;
    if (!chosen.includes(c) && !isDominated(c, all)) chosen.push(c);
  }
  return chosen.sort(byCost);
}
