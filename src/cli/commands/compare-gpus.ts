import { compareExitCode, runCompareGpus, type CompareOptions } from "../../compare/compare-gpus.js";
import { formatRankingTable } from "../../compare/ranking-files.js";
import type { CliIo } from "../io.js";
import { ProgressReporter } from "../progress.js";

type CompareFlags = Omit<CompareOptions, "inline" | "resultsRoot" | "now" | "gpus"> & { gpus?: string; json?: boolean; quiet?: boolean };

/** `hisim-tune compare-gpus`: one search per GPU, ranked by cost. Returns the exit code. */
export async function compareGpusCommand(flags: CompareFlags, io: CliIo): Promise<number> {
  const { json, quiet, gpus, ...opts } = flags;
  const progress = new ProgressReporter(io, { quiet: Boolean(quiet || json) });
  const tick = progress.counter("compare-gpus simulations");
  const outcome = await runCompareGpus(
    { ...opts, ...(gpus !== undefined ? { gpus: gpus.split(",").map((g) => g.trim()).filter((g) => g.length > 0) } : {}) },
    { onLog: (m) => progress.log(m), onTrialDone: tick },
  );
  progress.finishStage();
  const r = outcome.ranking;
  if (json) io.out(`${JSON.stringify(r, null, 2)}\n`);
  else io.out(formatRankingTable(r));
  if (!quiet) io.err(`results: ${outcome.dir} (ranking.csv, ranking.md, ranking.svg; one search folder per GPU)\n`);
  const code = compareExitCode(r);
  if (code === 3) io.err(r.gpus.some((g) => g.recommended) ? "hisim-tune: a search was cut short; the ranking is partial\n" : "hisim-tune: no GPU has a deployment that meets the SLO\n");
  return code;
}
