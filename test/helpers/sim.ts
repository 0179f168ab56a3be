/** Test builders for simulator inputs: tiny request tables, a linear estimator, deployments. */
import { TEST_PRICES } from "./prices.js";
import { resolveGpu, resolveKvMedia, resolveModel } from "../../src/catalog/index.js";
import type { Deployment, DeploymentInput } from "../../src/config/types.js";
import { validateSchema } from "../../src/config/validate.js";
import { resolveDeployment, type ResolvedDeployment } from "../../src/sim/deployment/resolve.js";
import type { BatchEntry, BatchSummary, StepEstimate, StepEstimator } from "../../src/sim/estimator/types.js";
import { allocRequestTable, type RequestTable } from "../../src/sim/workload/request-table.js";

export interface RowSpec {
  arrivalUs?: number;
  after?: number;
  afterDelayUs?: number;
  input: number;
  output: number;
  /** Block ids of the prompt (and answer); default: unique ids. */
  ids?: number[];
}

let uniqueId = 1_000_000;

/** A RequestTable from explicit rows. */
export function tableOf(rows: RowSpec[], blockSize = 16): RequestTable {
  const idLists = rows.map((r) => r.ids ?? Array.from({ length: Math.ceil(r.input / blockSize) }, () => uniqueId++));
  const total = idLists.reduce((a, l) => a + l.length, 0);
  const t = allocRequestTable(rows.length, blockSize, total);
  let k = 0;
  rows.forEach((r, i) => {
    t.arrivalUs[i] = r.arrivalUs ?? 0;
    t.after[i] = r.after ?? -1;
    t.afterDelayUs[i] = r.afterDelayUs ?? 0;
    t.inputTokens[i] = r.input;
    t.outputTokens[i] = r.output;
    t.hashStart[i] = k;
    for (const id of idLists[i]) t.hashIds[k++] = id;
  });
  t.hashStart[rows.length] = k;
  return t;
}

/** Closed-loop clients: `concurrency` start at 0, each next request follows the one `concurrency` earlier. */
export function closedLoop(concurrency: number, requests: number, input: number, output: number, blockSize = 16): RequestTable {
  return tableOf(
    Array.from({ length: requests }, (_, i) => ({ input, output, after: i >= concurrency ? i - concurrency : -1 })),
    blockSize,
  );
}

/**
 * A hand-computable estimator: step = fixedUs + perTokenUs * newTokens + perCtxUs * decodeContext
 * + perPrefillCtxUs * (cached tokens of prefill entries).
 */
export function linearEstimator(p: { fixedUs: number; perTokenUs: number; perCtxUs?: number }): StepEstimator & { calls: number } {
  const est = {
    calls: 0,
    stepUs(b: BatchSummary): number {
      est.calls++;
      let tokens = b.decodeCount;
      for (let i = 0; i < b.prefillCount; i++) tokens += b.prefillNew[i];
      return p.fixedUs + p.perTokenUs * tokens + (p.perCtxUs ?? 0) * b.decodeContextSum;
    },
    estimate(batch: readonly BatchEntry[]): StepEstimate {
      let tokens = 0;
      for (const e of batch) tokens += e.inputLen;
      const ms = (p.fixedUs + p.perTokenUs * tokens) / 1e3;
      return { latencyMs: ms, breakdown: { gemmMs: ms, attentionMs: 0, commMs: 0, otherMs: 0 } };
    },
  };
  return est;
}

/**
 * A validated, resolved deployment from a partial input (defaults: qwen3-8b on h100, tp 1). Its
 * server front end costs nothing, so engine timelines stay hand-computable; tests of the front end
 * set `engine.frontEnd` themselves.
 */
export function deployment(input: Partial<DeploymentInput> = {}, override?: (d: ResolvedDeployment) => void): ResolvedDeployment {
  const d = validateSchema<Deployment>("deployment", structuredClone({ model: "qwen3-8b", gpu: "h100_sxm", ...input }));
  const r = resolveDeployment(d, resolveModel(d.model), resolveGpu(d.gpu), (id) => resolveKvMedia(id), TEST_PRICES);
  r.engine.frontEnd = { requestUs: 0, promptTokenUs: 0, stepUs: 0, tokenUs: 0 };
  override?.(r);
  return r;
}
