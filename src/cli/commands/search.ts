import { existsSync } from "node:fs";
import { UsageError } from "../../errors.js";
import { checkOutDir } from "../../io/out-path.js";
import type { SearchStatus } from "../../results/frontier-file.js";
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
    onStageStart: (s, estimatedRuns) => progress.startStage(s.stage === 4 ? s.name : `stage ${s.stage}/3 ${s.name}`, estimatedRuns),
    onStageEstimate: (runs) => progress.setTotal(runs),
    onTrialDone: () => progress.tick(),
    onStageEnd: () => progress.finishStage(),
  };
}

/**
 * `hisim-tune --slo <spec>`: the three-stage search and the confirmation of its answer. Returns the
 * search's status (a value, not an error: the results are written either way); the CLI maps it to
 * the exit code.
 */
export async function searchCommand(flags: SearchFlags, io: CliIo): Promise<SearchStatus> {
  const { json, quiet, ...opts } = flags;
  // Before any work: a bad --out fails now, not after the search (an empty path, a file, /proc).
  if (opts.out !== undefined) {
    const abs = checkOutDir(opts.out);
    if (opts.resume && !existsSync(abs)) throw new UsageError(`--resume: ${abs} does not exist; run without --resume to start a run there`);
  }
  const outcome = await runSearch(opts, progressEvents(io, Boolean(quiet || json)));
  const f = outcome.file;
  if (json) {
    io.out(`${JSON.stringify(f, null, 2)}\n`);
  } else {
    io.out(formatSummaryTable(f));
    if (!quiet) io.err(`results: ${outcome.dir} (${outcome.newRuns} simulations${outcome.reusedTrials ? `, ${outcome.reusedTrials} reused` : ""}, ${f.wallS.toFixed(1)} s)\n`);
  }
  if (f.status === "partial") io.err(`hisim-tune: partial answer: ${f.statusReason}\n`);
  else if (f.status === "infeasible") io.err(`hisim-tune: no deployment meets the SLO: ${f.statusReason}; the closest points are listed in ${outcome.dir}/summary.md\n`);
  return f.status;
}
