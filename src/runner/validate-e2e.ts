/**
 * `validate e2e`: replays measured end-to-end benchmark rows as closed-loop simulations (fixed
 * isl/osl, `concurrency` clients, as `bench_serving --max-concurrency` does) and reports the error of
 * mean TTFT and mean TPOT. Nothing is fitted on the file being validated.
 */
import { listModels } from "../catalog/index.js";
import type { Deployment } from "../config/types.js";
import { validateSchema } from "../config/validate.js";
import type { E2eRow } from "../io/e2e-csv.js";
import { simulate } from "../sim/cluster/simulate.js";
import { generateClosedLoop } from "../sim/workload/closed-loop.js";
import { estimatorFor, prepareDeployment } from "./prepare.js";

/** Requests per client in a replayed benchmark (the measured files do not record the count). */
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

const SUPPORTED = new Set(["sglang", "vllm"]);

/** Why a row cannot be simulated, or undefined when it can. */
function skipReason(row: E2eRow): string | undefined {
  if (!SUPPORTED.has(row.backend)) return `backend ${row.backend} is not simulated`;
  if (!Number.isFinite(row.concurrency)) return "no concurrency recorded";
  const key = row.model.toLowerCase();
  if (!listModels().some((m) => m.id === key || m.aliases.some((a) => a.toLowerCase() === key))) return `model ${row.model} not in the catalog`;
  return undefined;
}

/** The deployment a measured row ran: the engine's defaults, the row's TP and quantization. */
export function deploymentForRow(row: E2eRow): Deployment {
  return validateSchema<Deployment>("deployment", {
    model: row.model,
    gpu: row.system,
    tp: row.tp,
    weights: row.gemmQuant.startsWith("fp8") ? "fp8" : "bf16",
    engine: { kind: row.backend },
  });
}

/** Simulates one measured row; returns mean TTFT and TPOT in ms. */
export function simulateRow(row: E2eRow, seed = 1): { ttftMs: number; tpotMs: number } {
  const dep = prepareDeployment(deploymentForRow(row));
  const table = generateClosedLoop(
    {
      kind: "closed-loop",
      concurrency: row.concurrency,
      requests: row.concurrency * E2E_REQUESTS_PER_CLIENT,
      inputTokens: { fixed: row.isl },
      outputTokens: { fixed: row.osl },
    },
    seed,
  );
  const res = simulate({ dep, table, estimator: estimatorFor(dep) });
  return { ttftMs: res.summary.ttftMs.mean, tpotMs: res.summary.tpotMs.mean };
}

const mape = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

export function validateE2e(rows: E2eRow[], onRow?: (done: number, total: number) => void): E2eReport {
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
    const sim = simulateRow(row);
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
