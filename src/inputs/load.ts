/**
 * Loading input files: read JSON -> detect kind -> schema (defaults applied) -> semantic rules.
 * Every function throws one InputError listing every problem, with file and JSON path.
 */
import { InputError, type InputIssue } from "../errors.js";
import { readJsonFile } from "../io/json-file.js";
import { deploymentIssues, searchSpaceIssues, sloSpecIssues, workloadIssues } from "./rules.js";
import type { Deployment, SearchSpace, SloSpec, WorkloadSpec } from "../config/types.js";
import { checkSchema, validateSchema, type SchemaKind } from "../config/validate.js";

function ensure(issues: InputIssue[]): void {
  if (issues.length > 0) throw new InputError(issues);
}

export function loadDeployment(file: string): Deployment {
  const d = validateSchema<Deployment>("deployment", readJsonFile(file), file);
  ensure(deploymentIssues(d, file));
  return d;
}

export function loadWorkload(file: string): WorkloadSpec {
  const w = validateSchema<WorkloadSpec>("workload", readJsonFile(file), file);
  ensure(workloadIssues(w, file));
  return w;
}

export function loadSloSpec(file: string): SloSpec {
  const s = validateSchema<SloSpec>("slo-spec", readJsonFile(file), file);
  ensure(sloSpecIssues(s, file));
  return s;
}

export function loadSearchSpace(file: string): SearchSpace {
  const s = validateSchema<SearchSpace>("search-space", readJsonFile(file), file);
  ensure(searchSpaceIssues(s, file));
  return s;
}

export type ConfigKind = SchemaKind | "hf-config";

/** Guesses what kind of input a parsed JSON document is, from its distinctive fields. */
export function detectKind(data: unknown): ConfigKind | undefined {
  if (Array.isArray(data)) {
    const first = data[0] as Record<string, unknown> | undefined;
    const k = first ? detectKind(first) : undefined;
    if (k === "model") return "model-catalog";
    if (k === "gpu") return "gpu-catalog";
    if (k === "kv-media") return "kv-media-catalog";
    return undefined;
  }
  if (typeof data !== "object" || data === null) return undefined;
  const o = data as Record<string, unknown>;
  if ("targets" in o || ("workload" in o && "model" in o)) return "slo-spec";
  if ("gpus" in o || "routerPolicies" in o || "constraints" in o) return "search-space";
  if ("hiddenSize" in o) return "model";
  if ("hidden_size" in o || "text_config" in o || "architectures" in o) return "hf-config";
  if ("hbmGb" in o) return "gpu";
  if ("readGBps" in o && "tier" in o) return "kv-media";
  if ("gpu" in o && "model" in o) return "deployment";
  if (o.kind === "synthetic" || o.kind === "trace" || o.kind === "closed-loop") return "workload";
  return undefined;
}

/**
 * Validates any input file: detects its kind, runs the schema and the semantic rules.
 * @returns the kind and every issue (empty = valid).
 */
export function validateConfigFile(file: string): { kind: ConfigKind; issues: InputIssue[] } {
  const data = readJsonFile(file);
  const kind = detectKind(data);
  if (!kind) {
    throw new InputError({
      file,
      path: "/",
      message: "cannot tell what this file is; expected an SLO spec (targets), search space (gpus), deployment (model + gpu), workload (kind), model, GPU or KV-media entry",
    });
  }
  if (kind === "hf-config") return { kind, issues: [] };
  const issues = checkSchema(kind, data, file);
  if (issues.length > 0) return { kind, issues };
  const rules: Partial<Record<SchemaKind, () => InputIssue[]>> = {
    deployment: () => deploymentIssues(data as Deployment, file),
    workload: () => workloadIssues(data as WorkloadSpec, file),
    "slo-spec": () => sloSpecIssues(data as SloSpec, file),
    "search-space": () => searchSpaceIssues(data as SearchSpace, file),
  };
  const collect = (fn: () => InputIssue[]): InputIssue[] => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof InputError) return e.issues;
      throw e;
    }
  };
  return { kind, issues: rules[kind] ? collect(rules[kind]!) : [] };
}
