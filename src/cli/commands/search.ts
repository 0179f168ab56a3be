import { formatSummaryTable } from "../../report/summary-table.js";
import { runSearch, type SearchOptions } from "../../search/run-search.js";
import type { CliIo } from "../io.js";

type SearchFlags = Omit<SearchOptions, "inline" | "resultsRoot"> & { json?: boolean };

/** `hisim-tune --slo <spec>`: the three-stage search. */
export async function searchCommand(flags: SearchFlags, io: CliIo): Promise<void> {
  const { json, ...opts } = flags;
  const outcome = await runSearch({ ...opts, quiet: opts.quiet || json }, io);
  if (json) {
    io.out(`${JSON.stringify(outcome.file, null, 2)}\n`);
    return;
  }
  io.out(formatSummaryTable(outcome.file));
  if (outcome.infeasible && !outcome.file.recommended) io.err(`hisim-tune: no configuration meets the SLO: ${outcome.infeasible}; the closest points are listed in ${outcome.dir}/summary.md\n`);
  if (!flags.quiet) io.err(`results: ${outcome.dir} (${outcome.newRuns} simulations${outcome.reusedTrials ? `, ${outcome.reusedTrials} reused` : ""}, ${outcome.file.wallS.toFixed(1)} s)\n`);
}
