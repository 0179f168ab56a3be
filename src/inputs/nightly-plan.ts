/**
 * Reading a nightly plan: JSON, the plan schema (defaults applied), then its own rules: each
 * service's SLO spec (and space) exists, relative to the plan file.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { NightlyPlan } from "../config/types.js";
import { validateSchema } from "../config/validate.js";
import { InputError, type InputIssue } from "../errors.js";
import { readJsonFile } from "../io/json-file.js";

/** Problems with a schema-valid plan (files that do not exist), with file and JSON path. */
export function nightlyPlanIssues(plan: NightlyPlan, file: string): InputIssue[] {
  const dir = dirname(file);
  const issues: InputIssue[] = [];
  plan.services.forEach((s, i) => {
    if (!existsSync(resolve(dir, s.slo))) issues.push({ file, path: `/services/${i}/slo`, message: `SLO spec ${resolve(dir, s.slo)} does not exist` });
    if (s.space && !existsSync(resolve(dir, s.space))) issues.push({ file, path: `/services/${i}/space`, message: `search space ${resolve(dir, s.space)} does not exist` });
  });
  return issues;
}

/** Loads and checks a plan. @throws InputError naming the file and every JSON path at fault. */
export function loadNightlyPlan(file: string): NightlyPlan {
  const plan = validateSchema<NightlyPlan>("nightly-plan", readJsonFile(file), file);
  const issues = nightlyPlanIssues(plan, file);
  if (issues.length > 0) throw new InputError(issues);
  return plan;
}
