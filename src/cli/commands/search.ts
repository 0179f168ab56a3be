import { existsSync } from "node:fs";
import { UsageError } from "../../errors.js";
import { checkOutDir } from "../../io/out-path.js";
import { formatSummaryTable } from "../../report/summary-table.js";
import type { SearchEvents } from "../../search/events.js";
import { runSearch, type SearchOptions } from "../../search/run-search.js";
import type { CliIo } from "../io.js";
import { ProgressReporter } from "../progress.js";

type SearchFlags = Omit<SearchOptions, "inline" | "resultsRoot" | "workerFile"> & { json?: boolean; quiet?: boolean };

/** The search's hooks drawn as the progress line on stderr. */
function progressEvents(io: CliIo, quiet: boolean): SearchEvents {
  const progress = new ProgressReporter(io, { quiet });
  return {
    onLog: (message) => progress.log(message),
    onStageStart: (s, estimatedRuns) => progress.startStage(`stage ${s.stage}/3 ${s.name}`, estimatedRuns),
    onStageEstimate: (runs) => progress.setTotal(runs),
    onTrialDone: () => progress.tick(),
    onStageEnd: () => progress.finishStage(),
  };
}

/** `hisim-tune --slo <spec>`: the three-stage search. */
export async function searchCommand(flags: SearchFlags, io: CliIo): Promise<void> {
  const { json, quiet, ...opts } = flags;
  // Before any work: a bad --out fails now, not after the search (an empty path, a file, /proc).
  if (opts.out !== undefined) {
    const abs = checkOutDir(opts.out);
    if (opts.resume && !existsSync(abs)) throw new UsageError(`--resume: ${abs} does not exist; run without --resume to start a run there`);
  }
  const outcome = await runSearch(opts, progressEvents(io, Boolean(quiet || json)));
  if (json) {
    io.out(`${JSON.stringify(outcome.file, null, 2)}\n`);
    return;
  }
  io.out(formatSummaryTable(outcome.file));
  if (outcome.infeasible && !outcome.file.recommended) io.err(`hisim-tune: no configuration meets the SLO: ${outcome.infeasible}; the closest points are listed in ${outcome.dir}/summary.md\n`);
  if (!quiet) io.err(`results: ${outcome.dir} (${outcome.newRuns} simulations${outcome.reusedTrials ? `, ${outcome.reusedTrials} reused` : ""}, ${outcome.file.wallS.toFixed(1)} s)\n`);
}
