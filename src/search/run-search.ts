/**
 * The main job, `hisim-tune --slo`: load the SLO spec and search space, build the workload once,
 * run the three-stage search (or the exhaustive grid) on the worker pool, and write the results
 * folder. Timing is measured here, at the edge; the simulator never reads the clock. Progress goes
 * to the caller's hooks (`events.ts`); nothing here writes to a terminal.
 */
import { performance } from "node:perf_hooks";
import { resolvePrices, type ResolvedPrices } from "../catalog/prices.js";
import { writeDeployFolder } from "../deploy/write-deploy.js";
import type { Deployment } from "../config/types.js";
import { InputError } from "../errors.js";
import { writeRunOutputs } from "../report/write-outputs.js";
import { buildFrontierFile, type FrontierFile, type ScreenedConfig, type SearchStatus, type TierTrial } from "../results/frontier-file.js";
import { openResultsDir } from "../results/results-dir.js";
import { toolVersions, writeRunInfo, type RunInfo } from "../results/run-info.js";
import { readTrials, TrialLog } from "../results/trial-log.js";
import { reviveInfinity, type TrialResult } from "../runner/trial.js";
import { defaultWorkerCount } from "../worker/executor.js";
import { createTrialExecutor } from "../worker/sim-pool.js";
import { runConfirmation } from "./confirm.js";
import { MAX_PROBE_MULTIPLE, trialWindowS, type SearchContext } from "./context.js";
import type { SharedTrialPool } from "../worker/shared-pool.js";
import { TrialDriver } from "./driver.js";
import type { SearchEvents } from "./events.js";
import { runExhaustive } from "./exhaustive.js";
import { PointBook } from "./point-book.js";
import { describeWorkload, loadSearchInputs, type SearchInputs } from "./search-inputs.js";
import { capacitySeeds, confirmSeeds } from "./seeds.js";
import { execGrid } from "./space.js";
import { StageTracker } from "./stage-tracker.js";
import { runStage1, type Stage1Candidate, type Stage1Result } from "./stage1.js";
import { runStage2 } from "./stage2.js";
import { runStage3 } from "./stage3.js";
import { verdictBasis } from "./verdict-basis.js";
import { loadSeedWorkloads, longestRequestTokens } from "./seed-workloads.js";
import { hitCurveOf } from "./workload-profile.js";

/** Confirmation seeds when `--confirm-seeds` is not given. */
export const DEFAULT_CONFIRM_SEEDS = 3;

export interface SearchOptions {
  slo: string;
  space?: string;
  out?: string;
  workers?: number;
  seed: number;
  maxRuns?: number;
  exhaustive?: boolean;
  resume?: boolean;
  /** Plan for demand x (1 + headroom). @default 0 */
  headroom?: number;
  /** Seeds whose full workloads confirm frontier points. @default 3 */
  confirmSeeds?: number;
  /** Run trials in this thread (tests; also used for --workers 1). */
  inline?: boolean;
  /** Parent folder of results/<run-id>. @default "results" */
  resultsRoot?: string;
  /** `--prices`: a bundled list's name or a prices file, or a table already resolved. @default the default list */
  prices?: string | ResolvedPrices;
  /** Built worker file of the pool (tests: a fixture that wraps the simulator's). @default dist/worker/sim-worker.js */
  workerFile?: string;
  /** A pool shared with other searches (compare-gpus, nightly); absent = a pool of the run's own. */
  pool?: SharedTrialPool;
  /** Replaces the space's GPU list (compare-gpus runs one search per GPU). */
  gpus?: string[];
  /** Multiplies the spec's demand (nightly's growth forecast). @default 1 */
  demandScale?: number;
  /** Names the results folder instead of the spec's name (nightly: service and scale). */
  runName?: string;
}

export interface SearchOutcome {
  file: FrontierFile;
  dir: string;
  /** New simulations in this invocation, and trials reused from trials.jsonl. */
  newRuns: number;
  reusedTrials: number;
}

/** What a search found: its points, what stage 1 screened out, and why nothing met the SLO when stage 1 knows. */
interface Found {
  infeasible?: string;
  screened: ScreenedConfig[];
  collapsed?: number;
  tierTrials?: TierTrial[];
  perReplicaHint?: (d: Deployment) => number | undefined;
}

/** Stage 1's screened-out configurations in the report's form. */
function screenedList(s1: Stage1Result): ScreenedConfig[] {
  return s1.screened.map((x) => ({ gpu: x.exec.gpu, tp: x.exec.tp, weights: x.exec.weights, kvDtype: x.exec.kvDtype, engine: x.exec.engine, reason: x.reason, detail: x.detail }));
}

/**
 * Stages 1 to 3: the analytic screen, routing co-evaluation, KV tier sizing. Points go into the
 * book; returns what stage 1 screened out, and why nothing can meet the SLO when stage 1 already knows.
 */
async function stagedSearch(
  ctx: SearchContext, inp: SearchInputs, driver: TrialDriver, book: PointBook, stages: StageTracker, events: SearchEvents,
): Promise<Found> {
  const { space, targets, constraints } = ctx;
  const s0 = performance.now();
  const s1 = runStage1({ model: ctx.model, space, grid: execGrid(space), profile: ctx.profile, targets, constraints, demandRps: ctx.planRps, prices: ctx.prices });
  stages.record({ stage: 1, name: "execution-layer screening", runs: s1.evaluated, wallS: Math.round(performance.now() - s0) / 1000 });
  events.onLog?.(`stage 1/3 execution-layer screening: ${s1.evaluated} configurations, ${s1.candidates.length} go on, ${s1.screened.length} screened out`);
  let candidates: Stage1Candidate[] = s1.candidates;
  let infeasible: string | undefined;
  if (candidates.length === 0) {
    if (s1.screenedOut.length === 0) {
      const reasons = [...new Set(s1.screened.map((d) => `${d.exec.gpu} tp${d.exec.tp} ${d.exec.weights}: ${d.detail}`))].slice(0, 8);
      throw new InputError({ file: inp.spaceFile, message: `no configuration of the search space can run ${inp.model.id}:\n    ${reasons.join("\n    ")}` });
    }
    // Nothing passes the screen: simulate the closest configurations so the report shows how far off they are.
    candidates = [...s1.screenedOut].sort((a, b) => a.latencyBound - b.latencyBound || a.demandCostUsdPerHour - b.demandCostUsdPerHour).slice(0, 3);
    infeasible = `no configuration passes the stage-1 latency screen (closest: ${candidates[0].dropReason})`;
  }
  const s2 = await runStage2(ctx, driver, book, candidates, stages);
  const tierTrials = await runStage3(ctx, driver, book, s2, stages);
  const hints = new Map<string, number>();
  for (const c of [...s1.candidates, ...s1.screenedOut]) hints.set(execKey(c.deployment), c.capacityRps);
  return { screened: screenedList(s1), tierTrials, perReplicaHint: (d) => hints.get(execKey(d)), ...(infeasible ? { infeasible } : {}) };
}

/** GPU, TP, dtypes and engine of a deployment: what stage 1 estimated a per-replica rate for. */
function execKey(d: Deployment): string {
  return `${d.gpu}|${d.tp}|${d.weights}|${d.kvDtype}|${d.engine.kind}`;
}

/** The price table as hashed into the run id and recorded in run.json (where it came from, and every figure). */
function priceInputs(p: ResolvedPrices): Record<string, unknown> {
  return {
    name: p.name, ...(p.file ? { file: p.file } : {}), ...(p.base ? { base: p.base } : {}),
    gpuUsdPerHour: p.gpuUsdPerHour, hostMemoryUsdPerGbHour: p.hostMemoryUsdPerGbHour, mediaUsdPerGbHour: p.mediaUsdPerGbHour,
  };
}

/** Runs the search and writes the results folder. */
export async function runSearch(opts: SearchOptions, events: SearchEvents = {}): Promise<SearchOutcome> {
  const t0 = performance.now();
  const prices = typeof opts.prices === "object" ? opts.prices : resolvePrices(opts.prices);
  const inp = loadSearchInputs(opts.slo, opts.space, prices, { gpus: opts.gpus });
  const { spec, space, targets } = inp;
  const headroom = opts.headroom ?? 0;
  const seeds = confirmSeeds(opts.seed, opts.confirmSeeds ?? DEFAULT_CONFIRM_SEEDS);
  const capSeeds = capacitySeeds(opts.seed, seeds.length);
  events.onLog?.(`hisim-tune: ${spec.name}: loading the workload`);
  // nightly's growth forecast: the spec's demand times the scale.
  const scale = opts.demandScale ?? 1;
  const wl = await loadSeedWorkloads(inp, targets, [opts.seed, ...capSeeds], (demand) => MAX_PROBE_MULTIPLE * demand * scale * (1 + headroom), {
    contextLengthTokens: inp.model.contextLengthTokens, modelId: inp.model.id, file: opts.slo, path: "/workload",
  });
  const { tables, profile } = wl;
  const demandRps = wl.demandRps * scale;
  // A scaled demand is the throughput target the reports show.
  if (scale !== 1) targets.minThroughputRps = demandRps;
  const planRps = demandRps * (1 + headroom);
  // A trace with sessions cannot be replayed faster than its rows allow while keeping steady state.
  const maxProbeRps = !wl.extendable && profile.meanSessionSpanS > 0
    ? Math.max(planRps, wl.rows.tableRequests / trialWindowS(profile)) : MAX_PROBE_MULTIPLE * planRps;
  const ctx: SearchContext = {
    model: spec.model, targets, demandRps, planRps, profile, space, constraints: inp.constraints, seed: opts.seed, confirmSeeds: seeds, capacitySeeds: capSeeds,
    rows: wl.rows, maxProbeRps, prices,
  };

  // What determines the results (--max-runs only decides how far a run gets, so it is not hashed).
  const inputs = { spec, space: inp.rawSpace, seed: opts.seed, exhaustive: Boolean(opts.exhaustive), prices: priceInputs(prices), headroom, confirmSeeds: seeds, ...(scale !== 1 ? { demandScale: scale } : {}) };
  const dir = openResultsDir({ name: opts.runName ?? spec.name, inputs, out: opts.out, resume: opts.resume, root: opts.resultsRoot });
  const lock = dir.lock;
  try {
    const cache = new Map<string, TrialResult>();
    if (dir.resumed) for (const r of readTrials<TrialResult>(dir.path)) cache.set(r.id, reviveInfinity(r));
    const resumedCount = cache.size;
    const log = TrialLog.open<TrialResult>(dir.path);
    const workers = opts.workers ?? defaultWorkerCount();
    const runInfo: RunInfo = {
      runId: dir.runId, inputsHash: dir.inputsHash, status: "running", startedAt: new Date().toISOString(), seed: opts.seed,
      flags: { workers, maxRuns: opts.maxRuns ?? null, exhaustive: Boolean(opts.exhaustive), resume: Boolean(opts.resume) },
      inputs: { sloFile: opts.slo, spaceFile: inp.spaceFile, ...inputs }, versions: toolVersions(), timings: {},
    };
    writeRunInfo(dir.path, runInfo);

    const executor = opts.pool ? opts.pool.executorFor(tables) : createTrialExecutor({ workers, tables, inline: opts.inline || workers === 1, workerFile: opts.workerFile });
    const driver = new TrialDriver({
      executor, cache, log, maxRuns: opts.maxRuns,
      onRun: (task, result) => events.onTrialDone?.(task, result),
    });
    const stages = new StageTracker(driver, events);
    const book = new PointBook(ctx);
    let found: Found;
    try {
      if (opts.exhaustive) {
        const ex = await runExhaustive(ctx, driver, book, stages, { spaceFile: inp.spaceFile, modelId: inp.model.id });
        found = { screened: [], collapsed: ex.collapsed };
      } else {
        found = await stagedSearch(ctx, inp, driver, book, stages, events);
      }
      await runConfirmation(ctx, driver, book, stages);
    } finally {
      log.close();
      await executor.close();
    }
    book.finishEstimates(found.perReplicaHint);
    const wallS = Math.round(performance.now() - t0) / 100 / 10;
    const points = book.all();
    const hasMet = points.some((p) => p.sloMet && p.confirmedSeeds.length > 0);
    const status: SearchStatus = driver.cut ? "partial" : hasMet ? "ok" : "infeasible";
    const statusReason = driver.cut
      ? `the search was cut by --max-runs ${opts.maxRuns}: ${driver.runs} simulations ran and ${driver.capped} more that it asked for did not, so this answer is partial` +
        (hasMet ? " (the recommendation is the best confirmed deployment found so far)" : " (no deployment was confirmed before the cut)") +
        "; run again with a higher --max-runs, or continue with --resume --out <this folder>"
      : hasMet ? undefined : (found.infeasible ?? "no evaluated deployment meets every target on the search seed and every confirmation seed");
    const file = buildFrontierFile({
      runId: dir.runId, status, ...(statusReason ? { statusReason } : {}), runs: driver.used.size, wallS,
      demandRps: Math.round(demandRps * 1000) / 1000, prices: prices.name, headroom, planRps: Math.round(ctx.planRps * 1000) / 1000,
      seed: opts.seed, confirmSeeds: seeds, capacitySeeds: capSeeds, points, targets, screened: found.screened,
      verdicts: verdictBasis(ctx, tables, cache, driver.used), tierTrials: found.tierTrials ?? [], hitCurve: hitCurveOf(profile),
    });
    const deploy = writeDeployFolder(dir.path, file, prices, { longestRequestTokens: longestRequestTokens(tables) });
    const reusedTrials = resumedCount > 0 ? driver.used.size - driver.runs : 0;
    writeRunOutputs(dir.path, file, {
      targets, sloName: spec.name, model: inp.model.id, workload: describeWorkload(inp.workload, profile.requests, profile.naturalRps),
      searchSpace: inp.spaceFile, spaceGpus: space.gpus, seed: opts.seed, workers, exhaustive: Boolean(opts.exhaustive), stages: stages.stats,
      reusedTrials, version: runInfo.versions.hisimTune, ...(book.collapsed ? { collapsed: book.collapsed } : {}), ...(deploy ? { deploy } : {}),
    });
    writeRunInfo(dir.path, {
      ...runInfo, status: "complete", finishedAt: new Date().toISOString(),
      ...(dir.resumed ? { resumedAt: [new Date().toISOString()] } : {}),
      timings: Object.fromEntries([...stages.stats.map((s) => [`stage${s.stage}${s.name.startsWith("exhaustive") ? "Exhaustive" : ""}S`, s.wallS ?? 0]), ["totalS", wallS]]),
      runs: driver.used.size, reusedTrials,
    });
    return { file, dir: dir.path, newRuns: driver.runs, reusedTrials: driver.used.size - driver.runs };
  } finally {
    lock.release();
  }
}
