/**
 * The main job, `hisim-tune --slo`: load the SLO spec and search space, build the workload once,
 * run the three-stage search (or the exhaustive grid) on the worker pool, and write the results
 * folder. Timing is measured here, at the edge; the simulator never reads the clock. Progress goes
 * to the caller's hooks (`events.ts`); nothing here writes to a terminal.
 */
import { performance } from "node:perf_hooks";
import { resolvePrices, type ResolvedPrices } from "../catalog/prices.js";
import { writeDeployFolder } from "../deploy/write-deploy.js";
import { InputError } from "../errors.js";
import { buildRequestTable, checkArrivalSpan } from "../io/load-workload.js";
import { writeRunOutputs } from "../report/write-outputs.js";
import { buildFrontierFile, type FrontierFile } from "../results/frontier-file.js";
import type { Point } from "../results/point.js";
import { openResultsDir } from "../results/results-dir.js";
import { toolVersions, writeRunInfo, type RunInfo } from "../results/run-info.js";
import { readTrials, TrialLog } from "../results/trial-log.js";
import { reviveInfinity, type TrialResult } from "../runner/trial.js";
import { defaultWorkerCount } from "../worker/executor.js";
import { createTrialExecutor } from "../worker/sim-pool.js";
import type { SearchContext } from "./context.js";
import { TrialDriver } from "./driver.js";
import type { SearchEvents } from "./events.js";
import { runExhaustive } from "./exhaustive.js";
import { describeWorkload, loadSearchInputs, type SearchInputs } from "./search-inputs.js";
import { execGrid } from "./space.js";
import { StageTracker } from "./stage-tracker.js";
import { runStage1, type Stage1Candidate } from "./stage1.js";
import { runStage2 } from "./stage2.js";
import { runStage3 } from "./stage3.js";
import { hitCurveOf, profileWorkload } from "./workload-profile.js";

export interface SearchOptions {
  slo: string;
  space?: string;
  out?: string;
  workers?: number;
  seed: number;
  maxRuns?: number;
  exhaustive?: boolean;
  resume?: boolean;
  /** Run trials in this thread (tests; also used for --workers 1). */
  inline?: boolean;
  /** Parent folder of results/<run-id>. @default "results" */
  resultsRoot?: string;
  /** `--prices`: a bundled list's name or a prices file, or a table already resolved. @default the default list */
  prices?: string | ResolvedPrices;
  /** Built worker file of the pool (tests: a fixture that wraps the simulator's). @default dist/worker/sim-worker.js */
  workerFile?: string;
}

export interface SearchOutcome {
  file: FrontierFile;
  dir: string;
  /** New simulations in this invocation, and trials reused from trials.jsonl. */
  newRuns: number;
  reusedTrials: number;
  /** Human-readable reason when no configuration meets the SLO. */
  infeasible?: string;
}

/**
 * Stages 1 to 3: the analytic screen, routing co-evaluation, KV tier sizing. Returns every
 * simulated point, and why nothing can meet the SLO when stage 1 already knows.
 */
async function stagedSearch(
  ctx: SearchContext, inp: SearchInputs, driver: TrialDriver, stages: StageTracker, events: SearchEvents,
): Promise<{ points: Point[]; infeasible?: string }> {
  const { space, targets, constraints } = ctx;
  const s0 = performance.now();
  const s1 = runStage1({ model: ctx.model, space, grid: execGrid(space), profile: ctx.profile, targets, constraints, demandRps: ctx.demandRps, prices: ctx.prices });
  stages.record({ stage: 1, name: "execution-layer screening", runs: s1.screened, wallS: Math.round(performance.now() - s0) / 1000 });
  events.onLog?.(`stage 1/3 execution-layer screening: ${s1.screened} configurations, ${s1.candidates.length} go on` +
    (s1.screenedOut.length ? `, ${s1.screenedOut.length} screened out by latency` : "") + (s1.dropped.length ? `, ${s1.dropped.length} cannot run` : ""));
  let candidates: Stage1Candidate[] = s1.candidates;
  let infeasible: string | undefined;
  if (candidates.length === 0) {
    if (s1.screenedOut.length === 0) {
      const reasons = [...new Set(s1.dropped.map((d) => `${d.exec.gpu} tp${d.exec.tp} ${d.exec.weights}: ${d.reason}`))].slice(0, 8);
      throw new InputError({ file: inp.spaceFile, message: `no configuration of the search space can run ${inp.model.id}:\n    ${reasons.join("\n    ")}` });
    }
    // Nothing passes the screen: simulate the closest configurations so the report shows how far off they are.
    candidates = [...s1.screenedOut].sort((a, b) => a.latencyBound - b.latencyBound || a.demandCostUsdPerHour - b.demandCostUsdPerHour).slice(0, 3);
    infeasible = `no configuration passes the stage-1 latency screen (closest: ${candidates[0].dropReason})`;
  }
  const s2 = await runStage2(ctx, driver, candidates, stages);
  const points = s2.walks.flatMap((w) => w.walk.points);
  points.push(...(await runStage3(ctx, driver, s2, stages)));
  return { points, ...(infeasible ? { infeasible } : {}) };
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
  const inp = loadSearchInputs(opts.slo, opts.space, prices);
  const { spec, space, targets } = inp;
  events.onLog?.(`hisim-tune: ${spec.name}: loading the workload`);
  const table = await buildRequestTable(inp.workload, inp.specDir, opts.seed, {
    contextLengthTokens: inp.model.contextLengthTokens, modelId: inp.model.id, file: opts.slo, path: "/workload",
  });
  checkArrivalSpan(table, inp.workload, opts.slo, "/workload");
  const profile = profileWorkload(table);
  const demandRps = targets.minThroughputRps ?? profile.naturalRps;
  const ctx: SearchContext = { model: spec.model, targets, demandRps, profile, space, constraints: inp.constraints, seed: opts.seed, prices };

  // What determines the results (--max-runs only decides how far a run gets, so it is not hashed).
  const inputs = { spec, space: inp.rawSpace, seed: opts.seed, exhaustive: Boolean(opts.exhaustive), prices: priceInputs(prices) };
  const dir = openResultsDir({ name: spec.name, inputs, out: opts.out, resume: opts.resume, root: opts.resultsRoot });
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

    const executor = createTrialExecutor({ workers, table, inline: opts.inline || workers === 1, workerFile: opts.workerFile });
    const driver = new TrialDriver({
      executor, cache, log, maxRuns: opts.maxRuns,
      onRun: (task, result) => events.onTrialDone?.(task, result),
    });
    const stages = new StageTracker(driver, events);
    let found: { points: Point[]; infeasible?: string };
    try {
      found = opts.exhaustive
        ? { points: await runExhaustive(ctx, driver, stages, { spaceFile: inp.spaceFile, modelId: inp.model.id }) }
        : await stagedSearch(ctx, inp, driver, stages, events);
    } finally {
      log.close();
      await executor.close();
    }
    const wallS = Math.round(performance.now() - t0) / 100 / 10;
    const file = buildFrontierFile({
      runId: dir.runId, runs: driver.used.size, wallS, demandRps: Math.round(demandRps * 1000) / 1000, prices: prices.name, points: found.points, targets,
      hitCurve: hitCurveOf(profile),
    });
    const deploy = writeDeployFolder(dir.path, file, prices);
    const infeasible = file.recommended ? undefined : (found.infeasible ?? "no evaluated configuration meets every target");
    const reusedTrials = resumedCount > 0 ? driver.used.size - driver.runs : 0;
    writeRunOutputs(dir.path, file, {
      targets, sloName: spec.name, model: inp.model.id, workload: describeWorkload(inp.workload, profile.requests, profile.naturalRps),
      searchSpace: inp.spaceFile, spaceGpus: space.gpus, seed: opts.seed, workers, exhaustive: Boolean(opts.exhaustive), stages: stages.stats,
      reusedTrials, version: runInfo.versions.hisimTune, ...(deploy ? { deploy } : {}),
    });
    writeRunInfo(dir.path, {
      ...runInfo, status: "complete", finishedAt: new Date().toISOString(),
      ...(dir.resumed ? { resumedAt: [new Date().toISOString()] } : {}),
      timings: Object.fromEntries([...stages.stats.map((s) => [`stage${s.stage}${s.name.startsWith("exhaustive") ? "Exhaustive" : ""}S`, s.wallS ?? 0]), ["totalS", wallS]]),
      runs: driver.used.size, reusedTrials,
    });
    return { file, dir: dir.path, newRuns: driver.runs, reusedTrials: driver.used.size - driver.runs, ...(infeasible ? { infeasible } : {}) };
  } finally {
    lock.release();
  }
}
