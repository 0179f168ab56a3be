/**
 * `hisim-tune verify`: one deployment on the SLO spec's full workload under several seeds, each run
 * to the end (no early stop, so every percentile is exact), judged against every target. It is how
 * a user checks an answer, with seeds the search does not use by default (`VERIFY_FIRST_SEED`), and
 * what the confirmation stage does inside a search.
 */
import { dirname } from "node:path";
import { resolveModel } from "../catalog/index.js";
import { resolvePrices, type ResolvedPrices } from "../catalog/prices.js";
import type { Deployment, WorkloadSpec } from "../config/types.js";
import { validateSchema } from "../config/validate.js";
import { InputError } from "../errors.js";
import { loadDeployment, loadSloSpec } from "../inputs/load.js";
import { readJsonFile } from "../io/json-file.js";
import type { PointLatency } from "../results/point.js";
import { prepareDeployment } from "../runner/prepare.js";
import type { TrialResult } from "../runner/trial.js";
import { targetMetrics, type TargetMetric } from "../runner/verdict.js";
import { defaultWorkerCount } from "../worker/executor.js";
import { createTrialExecutor } from "../worker/sim-pool.js";
import { fullRequests, fullTrial } from "./context.js";
import { targetsOf } from "./search-inputs.js";
import { loadSeedWorkloads } from "./seed-workloads.js";
import { verifySeeds, VERIFY_FIRST_SEED } from "./seeds.js";

/** Seeds `verify` uses when `--seeds` is not given. */
export const DEFAULT_VERIFY_SEEDS = 5;

export interface VerifyOptions {
  slo: string;
  /** A deployment file, or a frontier.json (its recommended deployment). */
  deployment: string;
  seeds?: number;
  /** First seed (then +1 each). @default VERIFY_FIRST_SEED */
  firstSeed?: number;
  /** Offered rate, req/s. @default the spec's demand */
  rateRps?: number;
  workers?: number;
  prices?: string | ResolvedPrices;
  /** Run in this thread (tests). */
  inline?: boolean;
  workerFile?: string;
}

export interface VerifyTarget {
  metric: TargetMetric;
  percentile: number;
  maxMs: number;
  /** Per seed: the achieved percentile and whether it holds. */
  perSeed: { seed: number; valueMs: number | null; holds: boolean }[];
  /** Seeds under which it holds. */
  heldSeeds: number;
}

export interface VerifyResult {
  slo: string;
  deployment: Deployment;
  prices: string;
  demandRps: number;
  rateRps: number;
  seeds: number[];
  /** Requests each run replays (the spec's full workload at this rate). */
  requests: number;
  targets: VerifyTarget[];
  /** Per seed: every target held (and every request was served). */
  perSeed: { seed: number; sloMet: boolean; completed: number; rejected: number; throughputRps: number; note?: string }[];
  /** Seeds under which every target held. */
  passedSeeds: number;
  allHold: boolean;
}

/** The deployment a file names: a deployment, or the recommendation of a frontier.json. */
function loadVerifiedDeployment(file: string): Deployment {
  const data = readJsonFile(file) as { schemaVersion?: unknown; recommended?: { deployment?: unknown } | null };
  if (data && typeof data === "object" && "schemaVersion" in data && "recommended" in data) {
    if (!data.recommended) throw new InputError({ file, path: "/recommended", message: "this frontier.json has no recommended deployment to verify" });
    return validateSchema<Deployment>("deployment", data.recommended.deployment, file);
  }
  return loadDeployment(file);
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/** Runs the check. */
export async function runVerify(opts: VerifyOptions): Promise<VerifyResult> {
  const prices = typeof opts.prices === "object" ? opts.prices : resolvePrices(opts.prices);
  const spec = loadSloSpec(opts.slo);
  const specDir = dirname(opts.slo);
  const d = loadVerifiedDeployment(opts.deployment);
  const dep = prepareDeployment(d, opts.deployment, { prices });
  const model = resolveModel(spec.model, specDir, { file: opts.slo, path: "/model" });
  if (dep.model.id !== model.id) {
    throw new InputError({ file: opts.deployment, path: "/model", message: `expected the SLO spec's model ${model.id} (${opts.slo}), got ${dep.model.id}` });
  }
  const workload = spec.workload as WorkloadSpec;
  if (workload.kind === "closed-loop") {
    throw new InputError({ file: opts.slo, path: "/workload/kind", message: "verify replays open-loop traffic at a rate: expected a synthetic or trace workload" });
  }
  const targets = targetsOf(spec);
  const seeds = verifySeeds(opts.seeds ?? DEFAULT_VERIFY_SEEDS, opts.firstSeed ?? VERIFY_FIRST_SEED);
  const wl = await loadSeedWorkloads({ workload, specDir }, targets, seeds, (demand) => opts.rateRps ?? demand, {
    contextLengthTokens: model.contextLengthTokens, modelId: model.id, file: opts.slo, path: "/workload",
  });
  const rateRps = opts.rateRps ?? wl.demandRps;
  const tasks = seeds.map((s) => fullTrial(wl.profile, wl.rows, targets, prices, d, s, rateRps, false));
  const workers = Math.min(opts.workers ?? defaultWorkerCount(), seeds.length);
  const executor = createTrialExecutor({ workers, tables: wl.tables, inline: opts.inline || workers === 1, workerFile: opts.workerFile });
  let results: Map<string, TrialResult>;
  try {
    results = await executor.run(tasks);
  } finally {
    await executor.close();
  }
  const rs = tasks.map((t) => results.get(t.id)!);
  const metrics = targetMetrics(targets);
  const value = (lat: PointLatency, m: TargetMetric): number | null => {
    const v = lat[m];
    return v === undefined || !Number.isFinite(v) ? null : v;
  };
  const targetRows: VerifyTarget[] = metrics.map((m) => {
    const t = targets[m]!;
    const perSeed = rs.map((r, i) => {
      const v = value(r.latency, m);
      return { seed: seeds[i], valueMs: v, holds: v !== null && v <= t.max };
    });
    return { metric: m, percentile: t.percentile, maxMs: t.max, perSeed, heldSeeds: perSeed.filter((x) => x.holds).length };
  });
  const perSeed = rs.map((r, i) => ({
    seed: seeds[i], sloMet: r.fits && r.sloMet, completed: r.completed, rejected: r.rejected, throughputRps: r.throughputRps,
    ...(r.note ? { note: r.note } : {}),
  }));
  const passedSeeds = perSeed.filter((s) => s.sloMet).length;
  return {
    slo: spec.name, deployment: d, prices: prices.name, demandRps: r4(wl.demandRps), rateRps: r4(rateRps), seeds,
    requests: fullRequests(wl.profile, wl.rows, rateRps), targets: targetRows, perSeed, passedSeeds, allHold: passedSeeds === seeds.length,
  };
}
