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
import type { ConstraintSet } from "./constraints.js";
import { constraintScope } from "./constraints.js";
import type { ExecConfig, ResolvedSpace } from "./space.js";
import type { SloTargets } from "./types.js";
import type { WorkloadProfile } from "./workload-profile.js";

/** Fraction of the TPOT target a pure decode step may use (prefill steps interleave with decodes). */
const TPOT_HEADROOM = 0.8;
/** Utilization at which the analytical capacity is quoted (queueing needs slack). */
const TARGET_UTILIZATION = 0.8;
/** At most this many candidates go on to stage 2. */
export const MAX_STAGE2_CANDIDATES = 6;

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
  /** Output tokens per second per USD-hour: the stage-1 cost efficiency. */
  tokensPerUsd: number;
  costUsdPerHour: number;
}

export interface Stage1Drop {
  exec: ExecConfig;
  deployment: Deployment;
  reason: string;
  costUsdPerHour: number;
}

export interface Stage1Result {
  screened: number;
  candidates: Stage1Candidate[];
  dropped: Stage1Drop[];
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
}): Stage1Result {
  const { model, space, profile, targets } = opts;
  const candidates: Stage1Candidate[] = [];
  const dropped: Stage1Drop[] = [];
  for (const e of opts.grid) {
    const dep0 = baseDeployment(model, e);
    let dep: ResolvedDeployment;
    try {
      dep = prepareDeployment(dep0, undefined, { allowNoFit: true });
    } catch {
      continue;
    }
    const drop = (reason: string) => dropped.push({ exec: e, deployment: dep0, reason, costUsdPerHour: dep.costUsdPerHour });
    if (dep.model.numAttentionHeads % e.tp !== 0) {
      drop(`tp=${e.tp} does not divide the ${dep.model.numAttentionHeads} attention heads`);
      continue;
    }
    if (e.tp > dep.gpu.gpusPerNode) {
      drop(`tp=${e.tp} exceeds one ${e.gpu} node`);
      continue;
    }
    if (!opts.constraints.allows(constraintScope(dep0, dep.gpu))) {
      drop("excluded by the space's constraints");
      continue;
    }
    if (!dep.memory.fits) {
      drop(`does not fit: ${dep.memory.reason}`);
      continue;
    }
    const pool = dep.memory.kvPoolTokens;
    if (pool < profile.p99SequenceTokens) {
      drop(`KV pool of ${pool} tokens is smaller than the workload's p99 request (${Math.round(profile.p99SequenceTokens)} tokens)`);
      continue;
    }
    const est = estimatorFor(dep);
    const ctx = profile.meanInputTokens + profile.meanOutputTokens / 2;
    const perReq = profile.meanInputTokens + profile.meanOutputTokens;
    const [lo, hi] = space.maxRunningRequests;
    const tpotBudget = targets.tpotMs.max * TPOT_HEADROOM;
    const okBatch = (b: number) => stepMs(est, b, ctx, 0) <= tpotBudget;
    if (!okBatch(lo)) {
      drop(`a decode step of ${lo} requests already takes ${stepMs(est, lo, ctx, 0).toFixed(1)} ms (TPOT target ${targets.tpotMs.max} ms)`);
      continue;
    }
    // Largest batch meeting the TPOT budget, capped by what the KV pool holds at typical lengths.
    const kvCap = Math.max(lo, Math.floor(pool / perReq));
    let a = lo;
    let b = Math.min(hi, Math.max(lo, kvCap));
    if (okBatch(b)) a = b;
    else {
      while (b - a > 1) {
        const m = (a + b) >> 1;
        if (okBatch(m)) a = m;
        else b = m;
      }
    }
    const batch = a;
    const chunks = space.chunkedPrefillSize.length > 0 ? space.chunkedPrefillSize : [dep.engine.chunkedPrefillSize];
    // Largest chunk whose step (with a full decode batch riding along) leaves half the TTFT budget.
    let chunk = chunks[0];
    for (const c of chunks) if (stepMs(est, batch, ctx, c) <= targets.ttftMs.max / 2) chunk = Math.max(chunk, c);
    const p99Prefill = lonePrefillMs(est, profile.p99InputTokens, chunk);
    if (p99Prefill > targets.ttftMs.max) {
      drop(`a lone p${99} prefill (${Math.round(profile.p99InputTokens)} tokens) takes ${p99Prefill.toFixed(0)} ms > TTFT target ${targets.ttftMs.max} ms`);
      continue;
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
    candidates.push({
      exec: e,
      deployment,
      maxRunningRequests: batch,
      chunkedPrefillSize: chunk,
      kvPoolTokens: pool,
      capacityRps,
      tpotMs: decodeStep,
      ttftMs,
      latencyBound: Math.max(decodeStep / targets.tpotMs.max, ttftMs / targets.ttftMs.max),
      tokensPerUsd: (capacityRps * profile.meanOutputTokens * 3600) / dep.costUsdPerHour,
      costUsdPerHour: dep.costUsdPerHour,
    });
  }
  return { screened: opts.grid.length, candidates: selectStage2(candidates), dropped };
}

/**
 * The Pareto set over (latency bound down, tokens per USD up), best cost efficiency first, capped;
 * configurations dominated on both are not worth a simulation.
 */
export function selectStage2(all: Stage1Candidate[], max = MAX_STAGE2_CANDIDATES): Stage1Candidate[] {
  const key = (c: Stage1Candidate) => `${c.exec.gpu}|${c.exec.tp}|${c.exec.weights}|${c.exec.kvDtype}|${c.exec.engine}`;
  const pareto = all.filter(
    (c) => !all.some((o) => o !== c && o.latencyBound <= c.latencyBound && o.tokensPerUsd >= c.tokensPerUsd && (o.latencyBound < c.latencyBound || o.tokensPerUsd > c.tokensPerUsd)),
  );
  const byEfficiency = (a: Stage1Candidate, b: Stage1Candidate) => b.tokensPerUsd - a.tokensPerUsd || key(a).localeCompare(key(b));
  const chosen = [...pareto].sort(byEfficiency).slice(0, max);
  // Keep room for the most cost-efficient non-Pareto configurations when the Pareto set is small:
  // the estimate's ranking is approximate and simulation decides.
  for (const c of [...all].sort(byEfficiency)) {
    if (chosen.length >= Math.min(max, Math.max(3, pareto.length))) break;
    if (!chosen.includes(c)) chosen.push(c);
  }
  return chosen.sort(byEfficiency);
}
