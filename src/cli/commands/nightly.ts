import { nightlyExitCode } from "../../nightly/report-data.js";
import { runNightly, type NightlyOptions } from "../../nightly/run-nightly.js";
import type { CliIo } from "../io.js";
import { ProgressReporter } from "../progress.js";

type NightlyFlags = Omit<NightlyOptions, "inline" | "resultsRoot" | "date"> & { date?: string; json?: boolean; quiet?: boolean };

/** Today as YYYY-MM-DD (UTC): the night's date is read here, at the edge. */
function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/** `hisim-tune nightly --plan`: the plan's services searched, compared with the baseline night. Returns the exit code. */
export async function nightlyCommand(flags: NightlyFlags, io: CliIo): Promise<number> {
  const { json, quiet, date, ...opts } = flags;
  const progress = new ProgressReporter(io, { quiet: Boolean(quiet || json) });
  const tick = progress.counter("nightly simulations");
  const { report, dir } = await runNightly({ ...opts, date: date ?? today() }, { onLog: (m) => progress.log(m), onTrialDone: tick });
  progress.finishStage();
  if (json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const lines = report.services.map((s) =>
      `  ${s.name} x${s.demandScale}: ${s.status === "ok" ? `$${s.costUsdPerHour?.toFixed(2)}/h, ${s.gpus} GPUs, capacity ${s.capacityRps} req/s (headroom ${s.headroom?.toFixed(2)}x)` : `${s.status}: ${s.statusReason}`}` +
      `${s.changes.some((c) => c.regression) ? "  REGRESSION" : ""}`);
    io.out(`Nightly ${report.plan} ${report.date} (prices: ${report.prices}; baseline: ${report.baseline ?? "none"})\n${lines.join("\n")}\n${report.regressions} regression${report.regressions === 1 ? "" : "s"}\n`);
  }
  if (!quiet) io.err(`report: ${dir}/report.html (report.md, report.json)\n`);
  return nightlyExitCode(report);
}
