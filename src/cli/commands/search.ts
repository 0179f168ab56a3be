import { formatSummaryTable } from "../../report/summary-table.js";
import type { SearchEvents } from "../../search/events.js";
import { runSearch, type SearchOptions } from "../../search/run-search.js";
import type { CliIo } from "../io.js";
import { ProgressReporter } from "../progress.js";

type SearchFlags = Omit<SearchOptions, "inline" | "resultsRoot"> & { json?: boolean; quiet?: boolean };

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
  const outcome = await runSearch(opts, progressEvents(io, Boolean(quiet || json)));
  if (json) {
    io.out(`${JSON.stringify(outcome.file, null, 2)}\n`);
    return;
  }
  io.out(formatSummaryTable(outcome.file));
  if (outcome.infeasible && !outcome.file.recommended) io.err(`hisim-tune: no configuration meets the SLO: ${outcome.infeasible}; the closest points are listed in ${outcome.dir}/summary.md\n`);
  if (!quiet) io.err(`results: ${outcome.dir} (${outcome.newRuns} simulations${outcome.reusedTrials ? `, ${outcome.reusedTrials} reused` : ""}, ${outcome.file.wallS.toFixed(1)} s)\n`);
}
