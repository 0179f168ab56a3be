/**
 * Nightly folders: `results/nightly/<YYYY-MM-DD>-<plan>/`. The baseline of a night is the newest
 * earlier folder of the same plan beside it; the trend is every folder of the plan there.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError, UsageError } from "../errors.js";
import { slugify } from "../results/run-id.js";
import type { NightlyReport } from "./report-data.js";

export const REPORT_FILE = "report.json";

/** The folder name of a night: `<date>-<plan slug>`. */
export function nightlyFolderName(date: string, plan: string): string {
  return `${date}-${slugify(plan)}`;
}

const DATE_RE = /^(\d{4}-\d{2}-\d{2})-(.+)$/;

/** A YYYY-MM-DD date that is a real calendar day. */
export function checkDate(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.toISOString().slice(0, 10) !== date) throw new UsageError(`expected a date as YYYY-MM-DD, got "${date}"`);
  return date;
}

/** Reads a night's report.json. */
export function readNightlyReport(dir: string): NightlyReport {
  const p = join(dir, REPORT_FILE);
  if (!existsSync(p)) throw new UsageError(`${dir} holds no nightly report (${REPORT_FILE}); expected a folder written by "hisim-tune nightly"`);
  try {
    return JSON.parse(readFileSync(p, "utf8")) as NightlyReport;
  } catch (e) {
    throw new InputError({ file: p, message: `not valid JSON (${(e as Error).message})` });
  }
}

/** Folders of plan `plan` beside `dir` (in its parent) that hold a report, oldest first: [date, path]. */
export function nightsBeside(dir: string, plan: string): [string, string][] {
  const parent = dirname(dir);
  if (!existsSync(parent)) return [];
  const slug = slugify(plan);
  return readdirSync(parent)
    .map((name): [string, string] | undefined => {
      const m = DATE_RE.exec(name);
      const p = join(parent, name);
      return m && m[2] === slug && statSync(p).isDirectory() && existsSync(join(p, REPORT_FILE)) ? [m[1], p] : undefined;
    })
    .filter((x): x is [string, string] => x !== undefined)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : 1));
}

/** The newest night of the plan beside `dir` dated before `date` (not `dir` itself), or undefined. */
export function defaultBaseline(dir: string, plan: string, date: string): string | undefined {
  const earlier = nightsBeside(dir, plan).filter(([d, p]) => d < date && basename(p) !== basename(dir));
  return earlier.length > 0 ? earlier[earlier.length - 1][1] : undefined;
}
