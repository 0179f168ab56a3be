/** Writes the run's result files (each atomically): frontier.json, frontier.csv, summary.md, report.html. */
import { join } from "node:path";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic-write.js";
import type { FrontierFile } from "../search/types.js";
import type { ReportContext } from "./context.js";
import { renderFrontierCsv } from "./frontier-csv.js";
import { renderReportHtml } from "./report-html.js";
import { renderSummaryMarkdown } from "./summary-md.js";

export const OUTPUT_FILES = ["frontier.json", "frontier.csv", "summary.md", "report.html"] as const;

/** Writes the four output files into `dir` (which must exist). frontier.json goes last. */
export function writeRunOutputs(dir: string, file: FrontierFile, ctx: ReportContext): void {
  writeFileAtomic(join(dir, "frontier.csv"), renderFrontierCsv(file, ctx.targets));
  writeFileAtomic(join(dir, "summary.md"), renderSummaryMarkdown(file, ctx));
  writeFileAtomic(join(dir, "report.html"), renderReportHtml(file, ctx));
  // Last: its presence means the run's outputs are complete.
  writeJsonAtomic(join(dir, "frontier.json"), file);
}
