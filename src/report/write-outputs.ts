/** Writes the run's result files (each atomically): frontier.json, frontier.csv, summary.md, report.html. */
import type { FrontierFile } from "../results/frontier-file.js";
import { writeResultFile, writeResultJson } from "../results/results-dir.js";
import type { ReportContext } from "./context.js";
import { renderFrontierCsv } from "./frontier-csv.js";
import { renderReportHtml } from "./report-html.js";
import { renderSummaryMarkdown } from "./summary-md.js";

export const OUTPUT_FILES = ["frontier.json", "frontier.csv", "summary.md", "report.html"] as const;

/** Writes the four output files into `dir` (which must exist). frontier.json goes last. */
export function writeRunOutputs(dir: string, file: FrontierFile, ctx: ReportContext): void {
  writeResultFile(dir, "frontier.csv", renderFrontierCsv(file, ctx.targets));
  writeResultFile(dir, "summary.md", renderSummaryMarkdown(file, ctx));
  writeResultFile(dir, "report.html", renderReportHtml(file, ctx));
  // Last: its presence means the run's outputs are complete.
  writeResultJson(dir, "frontier.json", file);
}
