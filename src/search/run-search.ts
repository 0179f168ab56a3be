/**
 * The main job, `hisim-tune --slo`: load the SLO spec and search space, build the workload once,
 * run the three-stage search (or the exhaustive grid) on the worker pool, and write the results
 * folder. Timing is measured here, at the edge; the simulator never reads the clock.
 */
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { existsSync } from "node:fs";
import { resolveModel } from "../catalog/index.js";
import { loadSearchSpace, loadSloSpec } from "../inputs/load.js";
import type { SloSpec, WorkloadSpec } from "../config/types.js";
import { InputError } from "../errors.js";
import { buildRequestTable } from "../io/load-workload.js";
import { openResultsDir } from "../results/results-dir.js";
import { type RunInfo, toolVersions, writeRunInfo } from "../results/run-info.js";
import { readTrials, TrialLog } from "../results/trial-log.js";
import { buildFrontierFile } from "../results/frontier-file.js";
import type { StageStat } from "../report/context.js";
import { writeRunOutputs } from "../report/write-outputs.js";
import { assertSatisfiable } from "./constraints/satisfiable.js";
import type { SearchContext } from "./context.js";
import { TrialDriver, type TrialGen } from "./driver.js";
import { exhaustiveGrid, gridTrial } from "./exhaustive.js";
import { defaultWorkerCount } from "../worker/executor.js";
import { createTrialExecutor } from "../worker/sim-pool.js";
import type { SearchEvents } from "./events.js";
import { execGrid, resolveSpace } from "./space.js";
import { runStage1, selectStage2, type Stage1Candidate } from "./stage1.js";
import { capacitySearch, cheapest, routingEvaluation, tierSizing, type CapacityResult, type ReplicaWalk } from "./staged.js";
import type { TrialResult, TrialTask } from "../runner/trial.js";
import type { FrontierFile, HitCurvePoint } from "../results/frontier-file.js";
import type { Point, SloTargets } from "../results/point.js";
import { profileWorkload } from "./workload-profile.js";

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

/** How many stage-2 winners get KV-tier sizing. */
const STAGE3_CANDIDATES = 2;

/** The bundled default search space. */
export function defaultSpacePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [resolve(here, "../../search-spaces/default.json"), resolve(here, "../../../search-spaces/default.json")]) {
    if (existsSync(p)) return p;
  }
  return resolve("search-spaces/default.json");
}

function targetsOf(spec: SloSpec): SloTargets {
  const t = spec.targets;
  return {
    ttftMs: { ...t.ttftMs },
    tpotMs: { ...t.tpotMs },
    ...(t.e2eMs ? { e2eMs: { ...t.e2eMs } } : {}),
    ...(t.minThroughputRps !== undefined ? { minThroughputRps: t.minThroughputRps } : {}),
  };
}

/** The workload's hit-rate curve at a geometric ladder of capacities (for the report). */
function hitCurveOf(ctx: SearchContext): HitCurvePoint[] {
  const reuse = ctx.profile.reuse;
  const sat = Math.max(reuse.blockSize, reuse.saturationTokens);
  const out: HitCurvePoint[] = [];
  for (let c = Math.max(reuse.blockSize, 2 ** 14); c < sat * 2; c *= 2) out.push(reuse.point(c));
  out.push(reuse.point(0));
  return out.map((p) => ({ capacityTokens: p.capacityTokens, tokenHitRate: Math.round(p.tokenHitRate * 1e4) / 1e4, blockHitRate: Math.round(p.blockHitRate * 1e4) / 1e4 }));
}

function describeWorkload(w: WorkloadSpec, requests: number, rps: number): string {
  if (w.kind === "trace") return `trace ${w.path}: ${requests} requests at ${rps.toFixed(2)} req/s`;
  if (w.kind === "synthetic") {
    const sessions = w.prefix?.sessions ? `, sessions of ~${w.prefix.sessions.turnsMean} turns` : "";
    return `synthetic ${w.arrival.process} arrivals, ${requests} requests at ${w.arrival.ratePerS} req/s${sessions}`;
  }
  return `closed loop of ${w.concurrency} clients`;
}

/** Runs the search and writes the results folder. */
export async function runSearch(opts: SearchOptions, events: SearchEvents = {}): Promise<SearchOutcome> {
  const t0 = performance.now();
  const spec = loadSloSpec(opts.slo);
  const specDir = dirname(opts.slo);
  const spaceFile = opts.space ?? (spec.searchSpace ? resolve(specDir, spec.searchSpace) : defaultSpacePath());
  const rawSpace = loadSearchSpace(spaceFile);
  const constraints = assertSatisfiable(rawSpace, spaceFile);
  const space = resolveSpace(rawSpace);
  const model = resolveModel(spec.model, specDir, { file: opts.slo, path: "/model" });
  const workload = spec.workload as WorkloadSpec;
  if (workload.kind === "closed-loop") {
    throw new InputError({ file: opts.slo, path: "/workload/kind", message: "the search needs open-loop traffic to scale: expected a synthetic or trace workload" });
  }
  const targets = targetsOf(spec);
  events.onLog?.(`hisim-tune: ${spec.name}: loading the workload`);
  const table = await buildRequestTable(workload, specDir, opts.seed);
  const profile = profileWorkload(table);
  const demandRps = targets.minThroughputRps ?? profile.naturalRps;
  const ctx: SearchContext = { model: spec.model, targets, demandRps, profile, space, constraints, seed: opts.seed };

  // What determines the results (--max-runs only decides how far a run gets, so it is not hashed).
  const inputs = { spec, space: rawSpace, seed: opts.seed, exhaustive: Boolean(opts.exhaustive) };
  const dir = openResultsDir({ name: spec.name, inputs, out: opts.out, resume: opts.resume, root: opts.resultsRoot });
  const cache = new Map<string, TrialResult>();
  if (dir.resumed) for (const r of readTrials<TrialResult>(dir.path)) cache.set(r.id, reviveInfinity(r));
  const resumedCount = cache.size;
  const log = TrialLog.open<TrialResult>(dir.path);
  const workers = opts.workers ?? defaultWorkerCount();
  const runInfo: RunInfo = {
    runId: dir.runId, inputsHash: dir.inputsHash, status: "running", startedAt: new Date().toISOString(), seed: opts.seed,
    flags: { workers, maxRuns: opts.maxRuns ?? null, exhaustive: Boolean(opts.exhaustive), resume: Boolean(opts.resume) },
    inputs: { sloFile: opts.slo, spaceFile, ...inputs }, versions: toolVersions(), timings: {},
  };
  writeRunInfo(dir.path, runInfo);

  const executor = createTrialExecutor({ workers, table, inline: opts.inline || workers === 1 });
  const stages: StageStat[] = [];
  const points: Point[] = [];
  let infeasible: string | undefined;
  const driver = new TrialDriver({
    executor, cache, log, maxRuns: opts.maxRuns,
    onRun: (task, result) => events.onTrialDone?.(task, result),
  });
  let stageStart = { runs: 0, t: 0 };
  const beginStage = (n: 1 | 2 | 3, name: string, estimate: number): void => {
    stageStart = { runs: driver.used.size, t: performance.now() };
    events.onStageStart?.({ stage: n, name }, estimate);
  };
  const endStage = (n: 1 | 2 | 3, name: string): void => {
    events.onStageEnd?.({ stage: n, name });
    stages.push({ stage: n, name, runs: driver.used.size - stageStart.runs, wallS: Math.round(performance.now() - stageStart.t) / 1000 });
  };
  try {
    if (opts.exhaustive) {
      const grid = exhaustiveGrid(ctx);
      if (grid.length === 0) throw new InputError({ file: spaceFile, message: `no configuration of the space can hold ${model.id} (or the constraints exclude them all)` });
      beginStage(2, "exhaustive grid", grid.length);
      const pts = await driver.runAll(grid.map((d) => gridTrial(ctx, d)));
      endStage(2, "exhaustive grid");
      points.push(...pts);
    } else {
      const s0 = performance.now();
      const s1 = runStage1({ model: spec.model, space, grid: execGrid(space), profile, targets, constraints, demandRps });
      stages.push({ stage: 1, name: "execution-layer screening", runs: s1.screened, wallS: Math.round(performance.now() - s0) / 1000 });
      events.onLog?.(`stage 1/3 execution-layer screening: ${s1.screened} configurations, ${s1.candidates.length} go on` +
        (s1.screenedOut.length ? `, ${s1.screenedOut.length} screened out by latency` : "") + (s1.dropped.length ? `, ${s1.dropped.length} cannot run` : ""));
      let candidates: Stage1Candidate[] = s1.candidates;
      if (candidates.length === 0) {
        if (s1.screenedOut.length === 0) {
          const reasons = [...new Set(s1.dropped.map((d) => `${d.exec.gpu} tp${d.exec.tp} ${d.exec.weights}: ${d.reason}`))].slice(0, 8);
          throw new InputError({ file: spaceFile, message: `no configuration of the search space can run ${model.id}:\n    ${reasons.join("\n    ")}` });
        }
        // Nothing passes the screen: simulate the closest configurations so the report shows how far off they are.
        candidates = [...s1.screenedOut].sort((a, b) => a.latencyBound - b.latencyBound || a.demandCostUsdPerHour - b.demandCostUsdPerHour).slice(0, 3);
        infeasible = `no configuration passes the stage-1 latency screen (closest: ${candidates[0].dropReason})`;
      }
      beginStage(2, "routing co-evaluation", candidates.length * (8 + 2 * space.routerPolicies.length));
      const caps: CapacityResult[] = await driver.runAll(candidates.map((c) => capacitySearch(ctx, c)));
      const walks: { cap: CapacityResult; walk: ReplicaWalk }[] = [];
      const gens: TrialGen<ReplicaWalk>[] = [];
      const owners: CapacityResult[] = [];
      for (const cap of caps) {
        const multi = cap.replicas !== 1;
        for (const policy of multi ? space.routerPolicies : space.routerPolicies.slice(0, 1)) {
          gens.push(routingEvaluation(ctx, cap, policy));
          owners.push(cap);
        }
      }
      events.onStageEstimate?.(driver.used.size - stageStart.runs + gens.length * 2);
      const results = await driver.runAll(gens);
      endStage(2, "routing co-evaluation");
      results.forEach((walk, i) => walks.push({ cap: owners[i], walk }));
      for (const w of walks) points.push(...w.walk.points);
      const hasTiers = space.l2CapacityGb.length > 0 || space.l3Media.length > 0;
      if (hasTiers) {
        // The best SLO-meeting point of each candidate, cheapest candidates first.
        const winners: { p: Point; cap: CapacityResult }[] = [];
        for (const cap of caps) {
          const best = cheapest(walks.filter((w) => w.cap === cap).flatMap((w) => w.walk.points));
          if (best) winners.push({ p: best, cap });
        }
        winners.sort((a, b) => a.p.costUsdPerHour - b.p.costUsdPerHour || (a.p.id < b.p.id ? -1 : 1));
        const chosen = winners.slice(0, STAGE3_CANDIDATES);
        if (chosen.length > 0) {
          beginStage(3, "KV tier sizing", chosen.length * 12);
          const tiers = await driver.runAll(chosen.map((w) => tierSizing(ctx, w.p, w.cap.candidate.kvPoolTokens, w.cap.capacityRps)));
          endStage(3, "KV tier sizing");
          for (const t of tiers) points.push(...t);
        }
      }
    }
  } finally {
    log.close();
    await executor.close();
  }
  const wallS = Math.round(performance.now() - t0) / 100 / 10;
  const file = buildFrontierFile({
    runId: dir.runId, runs: driver.used.size, wallS, demandRps: Math.round(demandRps * 1000) / 1000, points, targets,
    hitCurve: hitCurveOf(ctx),
  });
  if (!file.recommended) infeasible ??= "no evaluated configuration meets every target";
  else infeasible = undefined;
  writeRunOutputs(dir.path, file, {
    targets, sloName: spec.name, model: model.id, workload: describeWorkload(workload, profile.requests, profile.naturalRps),
    searchSpace: spaceFile, spaceGpus: space.gpus, seed: opts.seed, workers, exhaustive: Boolean(opts.exhaustive), stages,
    reusedTrials: resumedCount > 0 ? driver.used.size - driver.runs : 0, version: runInfo.versions.hisimTune,
  });
  writeRunInfo(dir.path, {
    ...runInfo, status: "complete", finishedAt: new Date().toISOString(),
    ...(dir.resumed ? { resumedAt: [new Date().toISOString()] } : {}),
    timings: Object.fromEntries([...stages.map((s) => [`stage${s.stage}${s.name.startsWith("exhaustive") ? "Exhaustive" : ""}S`, s.wallS ?? 0]), ["totalS", wallS]]),
    runs: driver.used.size, reusedTrials: resumedCount > 0 ? driver.used.size - driver.runs : 0,
  });
  return { file, dir: dir.path, newRuns: driver.runs, reusedTrials: driver.used.size - driver.runs, ...(infeasible ? { infeasible } : {}) };
}

/** JSON turns Infinity into null; trial results read back from trials.jsonl get it back. */
function reviveInfinity(r: TrialResult): TrialResult {
  const lat = r.latency as { ttftMs: number | null; tpotMs: number | null; e2eMs?: number | null };
  return {
    ...r,
    latency: { ttftMs: lat.ttftMs ?? Infinity, tpotMs: lat.tpotMs ?? Infinity, ...(lat.e2eMs !== undefined ? { e2eMs: lat.e2eMs ?? Infinity } : {}) },
    usdPerMillionTokens: r.usdPerMillionTokens ?? Infinity,
  };
}
