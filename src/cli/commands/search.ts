import { formatSummaryTable } from "../../report/summary-table.js";
import { runSearch } from "../../search/run-search.js";
import type { CliIo } from "../io.js";

interface SearchFlags {
  slo: string;
  space?: string;
  out?: string;
  workers?: number;
  seed: number;
  maxRuns?: number;
  exhaustive?: boolean;
  resume?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** `hisim-tune --slo <spec>`: the three-stage search. */
export async function searchCommand(flags: SearchFlags, io: CliIo): Promise<void> {
  const outcome = await runSearch(
    {
      slo: flags.slo, space: flags.space, out: flags.out, workers: flags.workers, seed: flags.seed,
      maxRuns: flags.maxRuns, exhaustive: flags.exhaustive, resume: flags.resume, quiet: flags.quiet || flags.json,
    },
    io,
  );
  if (flags.json) {
    io.out(`${JSON.stringify(outcome.file, null, 2)}\n`);
    return;
  }
  io.out(formatSummaryTable(outcome.file));
  if (outcome.infeasible && !outcome.file.recommended) io.err(`hisim-tune: no configuration meets the SLO: ${outcome.infeasible}; the closest points are listed in ${outcome.dir}/summary.md\n`);
  if (!flags.quiet) io.err(`results: ${outcome.dir} (${outcome.newRuns} simulations${outcome.reusedTrials ? `, ${outcome.reusedTrials} reused` : ""}, ${outcome.file.wallS.toFixed(1)} s)\n`);
}
