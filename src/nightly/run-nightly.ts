/**
 * `nightly --plan`: every service of the plan at each demand scale, all searched at once on one
 * shared worker pool under one price list, written to `results/nightly/<date>-<plan>/` (one run
 * folder per service and scale), compared with the baseline night, and reported in report.json,
 * report.md and report.html. The date comes from the caller (the CLI reads the clock).
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { resolvePrices } from "../catalog/prices.js";
import { UsageError } from "../errors.js";
import { loadNightlyPlan } from "../inputs/nightly-plan.js";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic-write.js";
import { checkOutDir, ensureOutDir } from "../io/out-path.js";
import type { SloTargets } from "../results/point.js";
import { runSearch } from "../search/run-search.js";
import { loadSearchInputs } from "../search/search-inputs.js";
import { defaultWorkerCount } from "../worker/executor.js";
import { SharedTrialPool } from "../worker/shared-pool.js";
import { checkDate, defaultBaseline, nightlyFolderName, nightsBeside, readNightlyReport, REPORT_FILE } from "./nightly-folders.js";
import { compareWithBaseline, NIGHTLY_REPORT_VERSION, serviceResult, type NightlyReport, type ServiceResult, type Thresholds } from "./report-data.js";
import { renderNightlyHtml } from "./report-html.js";
import { renderNightlyMarkdown } from "./report-md.js";

export interface NightlyOptions {
  plan: string;
  /** The night's date, YYYY-MM-DD (from the caller's clock). */
  date: string;
  /** The night's folder. @default <resultsRoot>/nightly/<date>-<plan> */
  out?: string;
  /** The baseline night's folder. @default the newest earlier night of the plan beside the folder */
  baseline?: string;
  /** Overrides the plan's price list. */
  prices?: string;
  workers?: number;
  /** Trials in this thread (tests). */
  inline?: boolean;
  /** @default "results" */
  resultsRoot?: string;
}

export interface NightlyEvents {
  onLog?(message: string): void;
  onTrialDone?(): void;
}

export interface NightlyOutcome {
  report: NightlyReport;
  dir: string;
}

export const NIGHTLY_FILES = [REPORT_FILE, "report.md", "report.html"] as const;

/** The run folder name of a service at a demand scale: `chat-qwen3-32b-x1.5`. */
export function runFolderName(service: string, scale: number): string {
  return `${service}-x${scale}`;
}

/** Runs the night and writes its folder. */
export async function runNightly(opts: NightlyOptions, events: NightlyEvents = {}): Promise<NightlyOutcome> {
  const date = checkDate(opts.date);
  // A bad --out (empty, a file, /proc) fails before any work.
  if (opts.out !== undefined) checkOutDir(opts.out);
  const planFile = resolve(opts.plan);
  const plan = loadNightlyPlan(planFile);
  const planDir = dirname(planFile);
  const prices = opts.prices !== undefined
    ? resolvePrices(opts.prices)
    : resolvePrices(plan.prices, planDir, { file: planFile, path: "/prices" });
  const thresholds: Thresholds = {
    costIncreasePct: plan.regression.costIncreasePct,
    capacityDropPct: plan.regression.capacityDropPct,
    ...(plan.regression.headroomDropPct !== undefined ? { headroomDropPct: plan.regression.headroomDropPct } : {}),
  };

  // Every service's inputs before any search: a bad spec fails now, naming its file.
  const jobs: { name: string; scale: number; slo: string; space?: string; targets: SloTargets }[] = [];
  const seen = new Set<string>();
  plan.services.forEach((s, i) => {
    const slo = resolve(planDir, s.slo);
    const space = s.space ? resolve(planDir, s.space) : undefined;
    const inp = loadSearchInputs(slo, space, prices);
    const name = s.name ?? inp.spec.name;
    if (seen.has(name)) throw new UsageError(`${planFile}: /services/${i}: a second service named "${name}"; give one a "name"`);
    seen.add(name);
    for (const scale of s.demandScales) jobs.push({ name, scale, slo, ...(space ? { space } : {}), targets: inp.targets });
  });

  const dir = opts.out !== undefined ? resolve(opts.out) : join(resolve(opts.resultsRoot ?? "results"), "nightly", nightlyFolderName(date, plan.name));
  if (existsSync(join(dir, REPORT_FILE))) throw new UsageError(`${dir} already holds a nightly report; pass another --out`);
  const baselineDir = opts.baseline !== undefined ? resolve(opts.baseline) : defaultBaseline(dir, plan.name, date);
  const baseline = baselineDir ? readNightlyReport(baselineDir) : undefined;
  if (baseline && baseline.plan !== plan.name) {
    events.onLog?.(`nightly: the baseline ${baselineDir} is of plan "${baseline.plan}", not "${plan.name}"; rows are matched by service name and scale`);
  }
  ensureOutDir(dir);

  const pool = new SharedTrialPool({ workers: opts.workers ?? defaultWorkerCount(), inline: opts.inline });
  let rows: ServiceResult[];
  try {
    rows = await Promise.all(jobs.map(async (j) => {
      const folder = runFolderName(j.name, j.scale);
      events.onLog?.(`nightly: ${folder}: searching`);
      const o = await runSearch({
        slo: j.slo, ...(j.space ? { space: j.space } : {}), out: join(dir, folder), runName: folder, demandScale: j.scale,
        seed: plan.seed, maxRuns: plan.maxRunsPerService, prices, pool, inline: opts.inline,
      }, { onTrialDone: () => events.onTrialDone?.() });
      const row = serviceResult(j.name, j.scale, o.file, folder, j.targets);
      events.onLog?.(`nightly: ${folder}: ${row.status === "ok" ? `$${row.costUsdPerHour?.toFixed(2)}/h, capacity ${row.capacityRps} req/s` : row.statusReason}`);
      return row;
    }));
  } finally {
    await pool.close();
  }

  const regressions = compareWithBaseline(rows, baseline?.services, thresholds);
  const report: NightlyReport = {
    schemaVersion: NIGHTLY_REPORT_VERSION,
    plan: plan.name,
    date,
    prices: prices.name,
    baseline: baselineDir ? relativeOrAbsolute(dir, baselineDir) : null,
    regressions,
    thresholds,
    services: rows,
  };
  // The trend: every night of the plan beside this one (older reports read from disk), then this one.
  const history = nightsBeside(dir, plan.name)
    .filter(([, p]) => resolve(p) !== dir)
    .map(([, p]) => readNightlyReport(p))
    .filter((r) => r.date <= date);
  writeFileAtomic(join(dir, "report.md"), renderNightlyMarkdown(report));
  writeFileAtomic(join(dir, "report.html"), renderNightlyHtml(report, [...history, report]));
  // Last: its presence marks a complete night (and makes this folder a later night's baseline).
  writeJsonAtomic(join(dir, REPORT_FILE), report);
  return { report, dir };
}

/** `../2026-12-03-prod` for a sibling folder, else the absolute path. */
function relativeOrAbsolute(from: string, to: string): string {
  const rel = relative(from, to);
  return rel.startsWith("..") && rel.split("/").length <= 3 ? rel : to;
}
