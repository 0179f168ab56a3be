/**
 * `validate e2e`: replays measured end-to-end benchmark rows as closed-loop simulations (fixed
 * isl/osl, `concurrency` clients) and reports the error of mean TTFT and mean TPOT. Each row runs
 * exactly what `simulate` runs for the same deployment and closed-loop workload: the row's engine,
 * version (`engine.version` from `backend_version`), TP and quantization, and the benchmark client
 * and server front end of src/sim/workload/closed-loop.ts and src/sim/engine/front-end.ts. Nothing is
 * fitted on the file at run time; the engine constants were calibrated offline
 * (scripts/calibrate-e2e.ts, which also runs the leave-one-campaign-out check).
 */
import { listGpus, resolveCheckpoint, resolveModel } from "../catalog/index.js";
import { fp8GemmOfQuantMode } from "../catalog/checkpoints.js";
import { defaultPrices } from "../catalog/prices.js";
import { SGLANG_VERSIONS, VLLM_VERSIONS } from "../config/schemas/deployment.schema.js";
import { engineKindSchema } from "../config/schemas/common.schema.js";
import type { ClosedLoopWorkload, Deployment, EngineKind } from "../config/types.js";
import { validateSchema } from "../config/validate.js";
import { InputError } from "../errors.js";
import type { E2eRow } from "../io/e2e-csv.js";
import type { RequestOutcomes } from "../sim/cluster/simulate.js";
import { atLeastVersion } from "../sim/deployment/engine-version.js";
import type { FrontEndCosts } from "../sim/deployment/front-end-costs.js";
import type { ResolvedDeployment } from "../sim/deployment/resolve.js";
import type { EngineOverhead } from "../sim/estimator/engine-overhead.js";
import { createEstimator } from "../sim/estimator/estimator.js";
import type { StepEstimator } from "../sim/estimator/types.js";
import { generateClosedLoop } from "../sim/workload/closed-loop.js";
import { mape } from "./mape.js";
import { estimatorFor, estimatorOptionsOf, prepareDeployment, runSimulation } from "./prepare.js";

/**
 * Requests per client in a replayed benchmark. The measured file does not record the count; this is
 * a benchmark setting, the same for every row (bench_serving users typically send several rounds
 * per client; AIConfigurator's generated aiperf runs send 20c after a drained warm-up of 2c).
 */
export const E2E_REQUESTS_PER_CLIENT = 8;

export interface E2eRowResult {
  id: string;
  backend: string;
  model: string;
  isl: number;
  osl: number;
  tp: number;
  concurrency: number;
  measuredTtftMs: number;
  measuredTpotMs: number;
  simTtftMs: number;
  simTpotMs: number;
  ttftApe: number;
  tpotApe: number;
}

export interface E2eReport {
  rows: number;
  skipped: number;
  ttftMape: number;
  tpotMape: number;
  byBackend: Record<string, { rows: number; ttftMape: number; tpotMape: number }>;
  skippedReasons: Record<string, number>;
  details: E2eRowResult[];
}

/** Engine constants to use instead of the calibrated ones (calibration, leave-one-campaign-out). */
export interface ServingCostsOverride {
  engine?: EngineOverhead;
  frontEnd?: FrontEndCosts;
  clientRequestUs?: number;
}

export interface E2eOptions {
  costs?: ServingCostsOverride;
  /** Default E2E_REQUESTS_PER_CLIENT. */
  requestsPerClient?: number;
  seed?: number;
}

/** Measured backends the simulator models: its engine kinds. */
const SUPPORTED = new Set<string>(engineKindSchema.enum);

/** Why a row cannot be simulated, or undefined when it can. */
export function skipReason(row: E2eRow): string | undefined {
  if (!SUPPORTED.has(row.backend)) return `backend ${row.backend} is not simulated`;
  if (!Number.isFinite(row.concurrency)) return "no concurrency recorded";
  try {
    resolveModel(row.model);
  } catch (e) {
    if (e instanceof InputError) return `model ${row.model} not in the catalog`;
    throw e;
  }
  if (!listGpus().some((g) => g.id === row.system)) return `GPU ${row.system} not in the catalog`;
  return undefined;
}

/**
 * The modelled release a measured `backend_version` ran: itself when listed, else the newest
 * listed release not newer than it (post releases keep their release's defaults), else the oldest;
 * absent when the row records none (the newest modelled then applies).
 */
export function modelledVersion(kind: EngineKind, version: string): string | undefined {
  const v = version.trim();
  if (v === "") return undefined;
  const known: readonly string[] = kind === "vllm" ? VLLM_VERSIONS : SGLANG_VERSIONS;
  if (known.includes(v)) return v;
  const older = known.filter((k) => atLeastVersion(v, k));
  return older.length > 0 ? older[older.length - 1] : known[0];
}

/**
 * Engine flags AIConfigurator's generator gives a vLLM deployment serving `batch_size` requests
 * (ai-dynamo/aiconfigurator generator/rule_plugin/vllm.rule and benchmark/vllm.rule:
 * `agg max_num_tokens = max_batch_size + isl + 1500`, written as `--max-num-batched-tokens` by
 * config/backend_templates/vllm/run.sh.j2 since PR #238; `max_batch_size` as `--max-num-seqs`).
 * The measured vLLM rows ran them: with vLLM's own default of 8192 batched tokens, a synchronized
 * wave of c x 1024-token prompts would prefill eight at a time and the rows' TTFT would be 2-4x
 * what was measured, while c + isl + 1500 tokens (two or three prompts per step) matches it
 * (docs/fidelity.md). The SGLang rows match SGLang's defaults.
 */
export function aiconfiguratorVllmFlags(row: E2eRow): { chunkedPrefillSize: number; maxRunningRequests: number } {
  const batch = Number.isFinite(row.batchSize) ? row.batchSize : row.concurrency;
  return { chunkedPrefillSize: batch + row.isl + 1500, maxRunningRequests: batch };
}

/**
 * Engine flags AIConfigurator's generator gives an SGLang deployment (generator/rule_plugin/
 * sglang.rule: `max_prefill_tokens = isl + 1500`, `enable_mixed_chunk = true` since PR #257, January
 * 2026; `max_batch_size` as `--max-running-requests`). Applied to rows of SGLang 0.5.6 and later,
 * released when the generator deployed SGLang (its vLLM/SGLang support dates from PR #144, December
 * 2025); the 0.5.1 rows predate it and match SGLang's own defaults, while mixed chunks are what lets
 * later SGLang rows drift apart like vLLM's (docs/fidelity.md).
 */
export function aiconfiguratorSglangFlags(row: E2eRow): { enableMixedChunk: boolean; maxPrefillTokens: number; maxRunningRequests: number } {
  const batch = Number.isFinite(row.batchSize) ? row.batchSize : row.concurrency;
  return { enableMixedChunk: true, maxPrefillTokens: row.isl + 1500, maxRunningRequests: batch };
}

/**
 * The deployment a measured row ran: the row's engine and version (through `engine.version`, so
 * that release's defaults apply), TP and quantization (a quantized checkpoint name or the row's
 * gemm_quant_mode make the weights fp8), and for vLLM rows the flags AIConfigurator deployed them with.
 */
export function deploymentForRow(row: E2eRow): Deployment {
  const kind = row.backend as EngineKind;
  const engine: Record<string, unknown> = { kind };
  const version = modelledVersion(kind, row.backendVersion);
  if (version !== undefined) engine.version = version;
  if (kind === "vllm") Object.assign(engine, aiconfiguratorVllmFlags(row));
  if (kind === "sglang" && version !== undefined && atLeastVersion(version, "0.5.6")) Object.assign(engine, aiconfiguratorSglangFlags(row));
  const fp8 = fp8GemmOfQuantMode(row.gemmQuant) !== undefined || resolveCheckpoint(row.model) !== undefined;
  return validateSchema<Deployment>("deployment", {
    model: row.model,
    gpu: row.system,
    tp: row.tp,
    weights: fp8 ? "fp8" : "bf16",
    engine,
  });
}

/** The closed-loop workload a measured row ran: `concurrency` clients, fixed lengths. */
export function workloadForRow(row: E2eRow, requestsPerClient = E2E_REQUESTS_PER_CLIENT): ClosedLoopWorkload {
  return {
    kind: "closed-loop",
    concurrency: row.concurrency,
    requests: row.concurrency * requestsPerClient,
    inputTokens: { fixed: row.isl },
    outputTokens: { fixed: row.osl },
  };
}

/** Mean TTFT and TPOT (ms) over the requests that finished, as benchmarks report them. */
export function meanLatencies(out: RequestOutcomes, osl: number): { ttftMs: number; tpotMs: number } {
  let ttft = 0;
  let tpot = 0;
  let n = 0;
  for (let i = 0; i < out.finishUs.length; i++) {
    if (Number.isNaN(out.finishUs[i])) continue;
    ttft += out.firstTokenUs[i] - out.arrivalUs[i];
    if (osl >= 2) tpot += (out.finishUs[i] - out.firstTokenUs[i]) / (osl - 1);
    n++;
  }
  return { ttftMs: ttft / n / 1000, tpotMs: tpot / n / 1000 };
}

function estimatorForRow(dep: ResolvedDeployment, opts: E2eOptions): StepEstimator {
  if (!opts.costs?.engine) return estimatorFor(dep);
  return createEstimator({ ...estimatorOptionsOf(dep), overhead: opts.costs.engine });
}

/** The deployment of `row`, resolved, with its measured fp8 GEMM kind and any cost override. */
export function prepareRow(row: E2eRow, opts: E2eOptions = {}): ResolvedDeployment {
  // Cost plays no part in the comparison with measured latencies: any price list will do.
  const dep = prepareDeployment(deploymentForRow(row), undefined, { prices: defaultPrices() });
  const fp8 = fp8GemmOfQuantMode(row.gemmQuant);
  if (fp8) dep.fp8Gemm = fp8;
  if (opts.costs?.frontEnd) dep.engine.frontEnd = { ...opts.costs.frontEnd };
  return dep;
}

/** Simulates one measured row; returns mean TTFT and TPOT in ms. */
export function simulateRow(row: E2eRow, opts: E2eOptions = {}): { ttftMs: number; tpotMs: number } {
  const seed = opts.seed ?? 1;
  const dep = prepareRow(row, opts);
  const table = generateClosedLoop(workloadForRow(row, opts.requestsPerClient), seed, {}, opts.costs?.clientRequestUs);
  const res = runSimulation(dep, table, seed, { estimator: estimatorForRow(dep, opts) });
  return meanLatencies(res.outcomes, row.osl);
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function validateE2e(rows: E2eRow[], onRow?: (done: number, total: number) => void, opts: E2eOptions = {}): E2eReport {
  const details: E2eRowResult[] = [];
  const skippedReasons: Record<string, number> = {};
  let skipped = 0;
  rows.forEach((row, i) => {
    const why = skipReason(row);
    if (why) {
      skipped++;
      skippedReasons[why] = (skippedReasons[why] ?? 0) + 1;
      return;
    }
    const sim = simulateRow(row, opts);
    details.push({
      id: row.id, backend: row.backend, model: row.model, isl: row.isl, osl: row.osl, tp: row.tp, concurrency: row.concurrency,
      measuredTtftMs: row.ttftMs, measuredTpotMs: row.tpotMs,
      simTtftMs: r4(sim.ttftMs), simTpotMs: r4(sim.tpotMs),
      ttftApe: r4(Math.abs(sim.ttftMs - row.ttftMs) / row.ttftMs),
      tpotApe: r4(Math.abs(sim.tpotMs - row.tpotMs) / row.tpotMs),
    });
    onRow?.(i + 1, rows.length);
  });
  const byBackend: E2eReport["byBackend"] = {};
  for (const b of [...new Set(details.map((d) => d.backend))].sort()) {
    const ds = details.filter((d) => d.backend === b);
    byBackend[b] = { rows: ds.length, ttftMape: r4(mape(ds.map((d) => d.ttftApe))), tpotMape: r4(mape(ds.map((d) => d.tpotApe))) };
  }
  return {
    rows: details.length,
    skipped,
    ttftMape: r4(mape(details.map((d) => d.ttftApe))),
    tpotMape: r4(mape(details.map((d) => d.tpotApe))),
    byBackend,
    skippedReasons,
    details,
  };
}
