/**
 * `compare-gpus`: the search once per GPU (the spec's space with its GPU list replaced by that one
 * GPU), all on one shared worker pool, ranked by the cost of each GPU's cheapest SLO-meeting
 * deployment under one price list. Each GPU's search writes its own results folder under the
 * comparison's folder; the ranking goes beside them (csv, md, svg, json).
 */
import { join, resolve } from "node:path";
import { resolveGpu } from "../catalog/index.js";
import { resolvePrices } from "../catalog/prices.js";
import { InputError } from "../errors.js";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic-write.js";
import { checkOutDir, ensureOutDir } from "../io/out-path.js";
import { hashInputs, makeRunId } from "../results/run-id.js";
import { runSearch, type SearchOutcome } from "../search/run-search.js";
import { loadSearchInputs } from "../search/search-inputs.js";
import { defaultWorkerCount } from "../worker/executor.js";
import { SharedTrialPool } from "../worker/shared-pool.js";
import { failedRow, rowOf, sortRows, type GpuRanking, type GpuRow } from "./ranking.js";
import { renderRankingCsv, renderRankingMarkdown, renderRankingSvg } from "./ranking-files.js";

export interface CompareOptions {
  slo: string;
  /** GPUs to compare (default: the search space's). */
  gpus?: string[];
  space?: string;
  /** A bundled list's name or a prices file. */
  prices?: string;
  /** The comparison's folder. @default results/<run-id> */
  out?: string;
  workers?: number;
  seed: number;
  maxRuns?: number;
  /** Trials in this thread (tests). */
  inline?: boolean;
  /** Parent of the default folder. @default "results" */
  resultsRoot?: string;
  /** Clock for the folder name. @default new Date() */
  now?: Date;
}

export interface CompareEvents {
  onLog?(message: string): void;
  onTrialDone?(): void;
}

export interface CompareOutcome {
  ranking: GpuRanking;
  dir: string;
  specName: string;
}

export const RANKING_FILES = ["ranking.json", "ranking.csv", "ranking.md", "ranking.svg"] as const;

/**
 * The exit code of a comparison: 3 when no GPU has an SLO-meeting deployment or a search was cut
 * short (the ranking is then partial), else 0.
 */
export function compareExitCode(r: GpuRanking): number {
  return r.gpus.some((g) => g.recommended) && r.gpus.every((g) => g.status !== "partial") ? 0 : 3;
}

/** Runs the comparison and writes its folder. */
export async function runCompareGpus(opts: CompareOptions, events: CompareEvents = {}): Promise<CompareOutcome> {
  // A bad --out (empty, a file, /proc) fails before any work.
  if (opts.out !== undefined) checkOutDir(opts.out);
  const prices = resolvePrices(opts.prices);
  // Inputs checked once, before any search: a bad spec fails here, not once per GPU.
  const inp = loadSearchInputs(opts.slo, opts.space, prices, opts.gpus ? { gpus: opts.gpus } : {});
  const gpus = [...new Set(opts.gpus ?? inp.space.gpus)];
  for (const g of gpus) resolveGpu(g, { path: "--gpus" });
  if (gpus.length === 0) throw new InputError({ path: "--gpus", message: "expected at least one GPU id" });
  const name = `compare-${inp.spec.name}`;
  const inputsHash = hashInputs({ spec: inp.spec, space: inp.rawSpace, gpus, seed: opts.seed, prices: prices.name });
  const dir = opts.out !== undefined ? resolve(opts.out) : join(resolve(opts.resultsRoot ?? "results"), makeRunId(name, inputsHash, opts.now ?? new Date()));
  ensureOutDir(dir);

  const workers = opts.workers ?? defaultWorkerCount();
  const pool = new SharedTrialPool({ workers, inline: opts.inline });
  let rows: GpuRow[];
  let demandRps = 0;
  try {
    // Every GPU's search at once on the shared pool: while one waits on its slowest trial, the
    // others keep the threads busy. Results depend only on the inputs, never on this interleaving.
    rows = await Promise.all(gpus.map(async (gpu): Promise<GpuRow> => {
      events.onLog?.(`compare-gpus: ${gpu}: searching`);
      let outcome: SearchOutcome;
      try {
        outcome = await runSearch({
          slo: opts.slo, space: opts.space, gpus: [gpu], out: join(dir, gpu), seed: opts.seed, workers, maxRuns: opts.maxRuns,
          prices, pool, inline: opts.inline,
        }, { onTrialDone: () => events.onTrialDone?.() });
      } catch (e) {
        // A GPU that cannot run the model at all is a row with its reason, not a failed comparison.
        if (e instanceof InputError && e.issues.every((i) => /no configuration of the search space can run/.test(i.message))) {
          const why = e.issues.map((i) => i.message.replace(/^no configuration of the search space can run [^:]+:\s*/, "")).join("; ").replace(/\s+/g, " ");
          events.onLog?.(`compare-gpus: ${gpu}: cannot run the model`);
          return failedRow(gpu, `no configuration can run the model: ${why}`);
        }
        throw e;
      }
      demandRps = outcome.file.demandRps;
      const row = rowOf(gpu, outcome.file, outcome.dir);
      events.onLog?.(`compare-gpus: ${gpu}: ${row.recommended ? `$${row.costUsdPerHour?.toFixed(2)}/h` : `no deployment (${row.reason})`}`);
      return row;
    }));
  } finally {
    await pool.close();
  }
  const ranking: GpuRanking = { demandRps: demandRps || (inp.targets.minThroughputRps ?? 0), prices: prices.name, gpus: sortRows(rows) };
  writeFileAtomic(join(dir, "ranking.csv"), renderRankingCsv(ranking));
  writeFileAtomic(join(dir, "ranking.md"), renderRankingMarkdown(ranking, inp.spec.name));
  writeFileAtomic(join(dir, "ranking.svg"), `${renderRankingSvg(ranking, inp.spec.name)}\n`);
  writeJsonAtomic(join(dir, "ranking.json"), ranking);
  return { ranking, dir, specName: inp.spec.name };
}
