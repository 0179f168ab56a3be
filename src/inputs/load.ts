/**
 * Loading input files: read JSON -> detect kind -> schema (defaults applied) -> semantic rules.
 * Every function throws one InputError listing every problem, with file and JSON path.
 */
import { loadPriceFile } from "../catalog/prices.js";
import { InputError, type InputIssue } from "../errors.js";
import { readJsonFile } from "../io/json-file.js";
import { deploymentIssues, searchSpaceIssues, sloSpecIssues, workloadIssues } from "./rules.js";
import type { Deployment, NightlyPlan, SearchSpace, SloSpec, WorkloadSpec } from "../config/types.js";
import { nightlyPlanIssues } from "./nightly-plan.js";
import { checkSchema, validateSchema, type SchemaKind } from "../config/validate.js";
import { kindOfSchemaRef, SCHEMA_FILES, schemaFileName, type ShippedSchemaKind } from "../config/schema-files.js";

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
  if ("schemaVersion" in o && "points" in o) return "frontier";
  if ("services" in o) return "nightly-plan";
  if ("gpuUsdPerHour" in o || "mediaUsdPerGbHour" in o || "hostMemoryUsdPerGbHour" in o) return "prices";
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
 * The kind its `$schema` names, when a document has one. @throws InputError for a `$schema` that
 * names no shipped schema.
 */
export function kindFromSchemaRef(data: unknown, file?: string): ShippedSchemaKind | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  const ref = (data as Record<string, unknown>).$schema;
  if (ref === undefined) return undefined;
  const kind = typeof ref === "string" ? kindOfSchemaRef(ref) : undefined;
  if (!kind) {
    const known = (Object.keys(SCHEMA_FILES) as ShippedSchemaKind[]).map(schemaFileName).join(", ");
    throw new InputError({ file, path: "/$schema", message: `names no schema of hisim-tune; expected a path ending in one of ${known}` });
  }
  return kind;
}

/**
 * Validates any input file: its kind from `$schema` when it has one, else detected from its
 * fields; then the schema and the semantic rules.
 * @returns the kind and every issue (empty = valid).
 */
export function validateConfigFile(file: string): { kind: ConfigKind; issues: InputIssue[] } {
  const data = readJsonFile(file);
  const kind = kindFromSchemaRef(data, file) ?? detectKind(data);
  if (!kind) {
    throw new InputError({
      file,
      path: "/",
      message: "cannot tell what this file is; name its schema in \"$schema\" (e.g. \"schemas/slo-spec.schema.json\"), or give it the fields of an SLO spec (targets), search space (gpus), deployment (model + gpu), workload (kind), price list (gpuUsdPerHour), model, GPU or KV-media entry",
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
    prices: () => (loadPriceFile(file), []),
    "nightly-plan": () => nightlyPlanIssues(data as NightlyPlan, file),
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
