/**
 * `validate e2e`: replays measured end-to-end benchmark rows as closed-loop simulations (fixed
 * isl/osl, `concurrency` clients) and reports the error of mean TTFT and mean TPOT. Nothing is
 * fitted on the file being validated at run time; the engine overheads it uses were calibrated
 * offline (scripts/calibrate-engine-overhead.ts).
 *
 * The replay follows the benchmark AIConfigurator's silicon rows come from: an aiperf profile whose
 * warm-up requests are drained before profiling starts, so all `concurrency` clients send their first
 * request together (generator/config/backend_templates/benchmark/bench_run.sh.j2: `--concurrency c
 * --warmup-request-count 2c --num-requests 20c`), then each completion releases the client's next one.
 */
import { listGpus, listModels, resolveGpu } from "../catalog/index.js";
import { kernelTablesFor, loadRooflineFits } from "../catalog/profiles.js";
import { defaultPrices } from "../catalog/prices.js";
import { engineKindSchema } from "../config/schemas/common.schema.js";
import type { Deployment, EngineKind } from "../config/types.js";
import { validateSchema } from "../config/validate.js";
import type { E2eRow } from "../io/e2e-csv.js";
import { simulate, type RequestOutcomes } from "../sim/cluster/simulate.js";
import type { ResolvedDeployment } from "../sim/deployment/resolve.js";
import type { EngineOverhead } from "../sim/estimator/engine-overhead.js";
import { createEstimator } from "../sim/estimator/estimator.js";
import type { StepEstimator } from "../sim/estimator/types.js";
import { rngStream } from "../sim/rng.js";
import { generateClosedLoop } from "../sim/workload/closed-loop.js";
import type { RequestTable } from "../sim/workload/request-table.js";
import { mape } from "./mape.js";
import { prepareDeployment } from "./prepare.js";

/**
 * Requests per client in a replayed benchmark. The measured file does not record the count;
 * AIConfigurator's generated benchmark uses 20 rounds (MULTI_ROUND), but the rows were collected by
 * several campaigns and 8 fits the vLLM first-wave share of mean TTFT best (scripts/
 * calibrate-engine-overhead.ts prints the sensitivity). Only TTFT depends on it noticeably.
 */
export const E2E_REQUESTS_PER_CLIENT = 8;

/**
 * Where closed-loop clients sit relative to each other after the first (synchronized) wave.
 * - `wave`: they stay synchronized. SGLang's prefill-first scheduler prefills every waiting request
 *   together and pauses decoding meanwhile, so a wave stays a wave; measured SGLang TTFT is the time
 *   to prefill a whole wave and TPOT holds no prefill stalls (0.5.1 rows: c16 TPOT within 10% of a
 *   pure decode step).
 * - `independent`: clients drift apart and then arrive at independent phases. Measured vLLM rows show
 *   it in both metrics: TTFT is a few isolated prefills rather than a wave and barely depends on osl,
 *   and TPOT carries the other clients' prefills spread over each request's decode (e.g. Qwen3-32B tp2
 *   1024x128 c8: TTFT 154 ms against 470 ms for a synchronized wave of 8 prefills; TPOT 18.0 ms
 *   against a 15.1 ms pure decode step). The simulated engines keep whatever phases the clients
 *   start with (deterministic, no timing noise), so the replay sets them: the first wave starts
 *   together, later requests come from a run whose clients start at independent uniform phases.
 */
export const CLIENT_PHASE: Readonly<Record<EngineKind, "wave" | "independent">> = {
  sglang: "wave",
  vllm: "independent",
};

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

export interface E2eOptions {
  /** Engine overheads to use instead of ENGINE_OVERHEAD (calibration). */
  overhead?: Partial<Record<EngineKind, EngineOverhead>>;
  /** Default E2E_REQUESTS_PER_CLIENT (calibration sensitivity). */
  requestsPerClient?: number;
  seed?: number;
}

/** Measured backends the simulator models: its engine kinds. */
const SUPPORTED = new Set<string>(engineKindSchema.enum);

/** Why a row cannot be simulated, or undefined when it can. */
export function skipReason(row: E2eRow): string | undefined {
  if (!SUPPORTED.has(row.backend)) return `backend ${row.backend} is not simulated`;
  if (!Number.isFinite(row.concurrency)) return "no concurrency recorded";
  const key = row.model.toLowerCase();
  if (!listModels().some((m) => m.id === key || m.aliases.some((a) => a.toLowerCase() === key))) return `model ${row.model} not in the catalog`;
  if (!listGpus().some((g) => g.id === row.system)) return `GPU ${row.system} not in the catalog`;
  return undefined;
}

/** Numeric parts of a version string ("0.5.8.post1" -> [0, 5, 8]). */
function versionParts(v: string): number[] {
  return (v.match(/^\d+(\.\d+)*/)?.[0] ?? "").split(".").filter((x) => x !== "").map(Number);
}

function atLeast(v: string, min: number[]): boolean {
  const p = versionParts(v);
  if (p.length === 0) return false;
  for (let i = 0; i < min.length; i++) {
    const x = p[i] ?? 0;
    if (x !== min[i]) return x > min[i];
  }
  return true;
}

/**
 * SGLang's default mem_fraction_static from 0.5.3 on (PR #10975, "Use more general heuristics to set
 * the default value of --mem-fraction-static"; server_args.py `_handle_gpu_memory_settings`):
 * reserved MB = 512 + 1.5 * max(chunked_prefill_size, 2048) + 2 * cuda_graph_max_bs + 1024 * tp / 8,
 * at least 10 GiB on GPUs above 60 GB; fraction = (gpu_mem - reserved) / gpu_mem. The simulator's own
 * default (deployment/resolve.ts) is the older rule of reference C, which the 0.5.1 rows ran with.
 * Undefined for other engines and older versions.
 */
export function sglangMemFractionForVersion(version: string, hbmGb: number, tp: number): number | undefined {
  if (!atLeast(version, [0, 5, 3])) return undefined;
  const memMb = hbmGb * 1024;
  const chunk = hbmGb < 35 ? 2048 : hbmGb < 60 ? 4096 : hbmGb < 160 ? 8192 : 16384;
  const graphBs = hbmGb < 20 ? 8 : hbmGb < 35 ? (tp < 4 ? 24 : 80) : hbmGb < 60 ? (tp < 4 ? 32 : 160) : hbmGb < 160 ? (tp < 4 ? 256 : 512) : 512;
  let reservedMb = 512 + 1.5 * Math.max(chunk, 2048) + 2 * graphBs + (tp / 8) * 1024;
  if (hbmGb > 60) reservedMb = Math.max(reservedMb, 10 * 1024);
  return Math.round(((memMb - reservedMb) / memMb) * 1000) / 1000;
}

/**
 * The deployment a measured row ran: the engine's defaults (for SGLang, those of the row's version),
 * the row's TP and quantization.
 */
export function deploymentForRow(row: E2eRow): Deployment {
  const engine: Record<string, unknown> = { kind: row.backend };
  if (row.backend === "sglang") {
    const frac = sglangMemFractionForVersion(row.backendVersion, resolveGpu(row.system).hbmGb, row.tp);
    if (frac !== undefined) engine.memFractionStatic = frac;
  }
  return validateSchema<Deployment>("deployment", {
    model: row.model,
    gpu: row.system,
    tp: row.tp,
    weights: row.gemmQuant.startsWith("fp8") ? "fp8" : "bf16",
    engine,
  });
}

function closedLoopTable(row: E2eRow, opts: E2eOptions): RequestTable {
  return generateClosedLoop(
    {
      kind: "closed-loop",
      concurrency: row.concurrency,
      requests: row.concurrency * (opts.requestsPerClient ?? E2E_REQUESTS_PER_CLIENT),
      inputTokens: { fixed: row.isl },
      outputTokens: { fixed: row.osl },
    },
    opts.seed ?? 1,
  );
}

/** Sums of TTFT and TPOT (µs) over requests [from, to) that finished. */
function sums(out: RequestOutcomes, osl: number, from: number, to: number) {
  let ttft = 0;
  let tpot = 0;
  let n = 0;
  for (let i = from; i < to; i++) {
    if (Number.isNaN(out.finishUs[i])) continue;
    ttft += out.firstTokenUs[i] - out.arrivalUs[i];
    if (osl >= 2) tpot += (out.finishUs[i] - out.firstTokenUs[i]) / (osl - 1);
    n++;
  }
  return { ttft, tpot, n };
}

function estimatorForRow(dep: ResolvedDeployment, opts: E2eOptions): StepEstimator {
  return createEstimator({
    model: dep.model,
    gpu: dep.gpu,
    tp: dep.tp,
    weights: dep.deployment.weights,
    kvDtype: dep.deployment.kvDtype,
    engine: dep.engine.kind,
    ...kernelTablesFor(dep.gpu),
    fits: loadRooflineFits(),
    overhead: opts.overhead?.[dep.engine.kind],
  });
}

/** Simulates one measured row; returns mean TTFT and TPOT in ms. */
export function simulateRow(row: E2eRow, opts: E2eOptions = {}): { ttftMs: number; tpotMs: number } {
  const seed = opts.seed ?? 1;
  // Cost plays no part in the comparison with measured latencies: any list will do.
  const dep = prepareDeployment(deploymentForRow(row), undefined, { prices: defaultPrices() });
  const estimator = estimatorForRow(dep, opts);
  const c = row.concurrency;
  const table = closedLoopTable(row, opts);
  const wave = simulate({ dep, table, estimator }).outcomes;
  if (CLIENT_PHASE[dep.engine.kind] === "wave") {
    const s = sums(wave, row.osl, 0, table.count);
    return { ttftMs: s.ttft / s.n / 1000, tpotMs: s.tpot / s.n / 1000 };
  }
  // Independent phases: the first wave from the synchronized run; every later request from a run whose
  // clients start at uniform random phases over one request cycle (its first round is the ramp-up).
  let cycleUs = 0;
  let done = 0;
  for (let i = 0; i < table.count; i++) {
    if (Number.isNaN(wave.finishUs[i])) continue;
    cycleUs += wave.finishUs[i] - wave.arrivalUs[i];
    done++;
  }
  cycleUs = done > 0 ? cycleUs / done : 0;
  const spread = closedLoopTable(row, opts);
  const rng = rngStream(seed, "client-phase");
  const phases = Array.from({ length: c }, () => rng.next() * cycleUs).sort((a, b) => a - b);
  for (let i = 0; i < c; i++) spread.arrivalUs[i] = phases[i];
  const steady = simulate({ dep, table: spread, estimator }).outcomes;
  const a = sums(wave, row.osl, 0, c);
  const b = sums(steady, row.osl, c, spread.count);
  const n = a.n + b.n;
  return { ttftMs: (a.ttft + b.ttft) / n / 1000, tpotMs: (a.tpot + b.tpot) / n / 1000 };
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
