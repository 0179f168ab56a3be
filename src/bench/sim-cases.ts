/**
 * The deployments and workloads the simulation bench measures, shared by
 * `simulate.ts` and its memory child `simulate-memory.ts`.
 */
import { defaultPrices } from "../catalog/prices.js";
import type { Deployment, DeploymentInput, WorkloadSpec } from "../config/types.js";
import { validateSchema } from "../config/validate.js";
import { buildRequestTable } from "../io/load-workload.js";
import { prepareDeployment } from "../runner/prepare.js";
import type { ResolvedDeployment } from "../sim/deployment/resolve.js";
import type { RequestTable } from "../sim/workload/request-table.js";

/** Master seed of every bench workload and simulation. */
export const BENCH_SEED = 1;

/** Qwen3-32B on 2 H100s (tp2), SGLang defaults: the one-replica and Mooncake cases. */
export const QWEN3_32B_H100_TP2: DeploymentInput = { model: "qwen3-32b", gpu: "h100_sxm", tp: 2 };

/**
 * Multi-turn chat like `slo-specs/chat-qwen3-32b.json` (8 shared 1K-token system prompts, ~4-turn
 * sessions whose prompts grow by each answer, 20 s think time) with `requests` requests at `ratePerS`.
 */
export function chatWorkload(requests: number, ratePerS: number): WorkloadSpec {
  return {
    kind: "synthetic",
    requests,
    arrival: { process: "gamma", ratePerS, cv: 1.5 },
    inputTokens: { lognormal: { mean: 600, sigma: 0.8 }, max: 8192 },
    outputTokens: { lognormal: { mean: 250, sigma: 0.6 }, max: 2048 },
    prefix: { systemPrompts: 8, systemPromptTokens: 1024, zipfAlpha: 1.1, sessions: { turnsMean: 4, thinkTimeMeanS: 20 } },
  };
}

/** HiSim's headline case: one 8-GPU node of Qwen3-Coder-480B-A35B (fp8 weights, tp8, one replica). */
export const CODER_480B_H100_TP8: DeploymentInput = { model: "qwen3-coder-480b-a35b", gpu: "h100_sxm", tp: 8, weights: "fp8" };

/**
 * 40,520 coding-assistant requests over 6 h (Poisson, 1.876 req/s): every call carries one of 4
 * shared 16K-token repository/tool preambles (Zipf 1.0) plus new text (lognormal, mean 3,000 tokens,
 * at most 32K) and answers with lognormal 400 tokens (at most 4K). One replica sustains it.
 */
export const HISIM_HEADLINE_WORKLOAD: WorkloadSpec = {
  kind: "synthetic",
  requests: 40_520,
  arrival: { process: "poisson", ratePerS: 40_520 / (6 * 3600) },
  inputTokens: { lognormal: { mean: 3000, sigma: 0.9 }, max: 32_768 },
  outputTokens: { lognormal: { mean: 400, sigma: 0.7 }, max: 4096 },
  prefix: { systemPrompts: 4, systemPromptTokens: 16_384, zipfAlpha: 1.0 },
};

/** A validated, resolved deployment. */
export function benchDeployment(input: DeploymentInput): ResolvedDeployment {
  return prepareDeployment(validateSchema<Deployment>("deployment", structuredClone(input)), undefined, { prices: defaultPrices() });
}

/** The requests of a workload spec (trace paths relative to `baseDir`). */
export function benchTable(spec: WorkloadSpec, baseDir = process.cwd()): Promise<RequestTable> {
  return buildRequestTable(validateSchema<WorkloadSpec>("workload", structuredClone(spec)), baseDir, BENCH_SEED);
}
