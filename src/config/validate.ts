/**
 * One Ajv instance, every schema compiled once. Validation = schema (with defaults applied in place)
 * then the semantic rules of `rules.ts`; every problem is reported with file and JSON path.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { InputError, type InputIssue } from "../errors.js";
import { gpuCatalogSchema, kvMediaCatalogSchema, modelCatalogSchema } from "./schemas/catalog.schema.js";
import { deploymentSchema } from "./schemas/deployment.schema.js";
import { gpuSchema } from "./schemas/gpu.schema.js";
import { kvMediaSchema } from "./schemas/kv-media.schema.js";
import { modelSchema } from "./schemas/model.schema.js";
import { pricesSchema } from "./schemas/prices.schema.js";
import { frontierSchema } from "./schemas/frontier.schema.js";
import { nightlyPlanSchema } from "./schemas/nightly-plan.schema.js";
import { searchSpaceSchema } from "./schemas/search-space.schema.js";
import { sloSpecSchema } from "./schemas/slo-spec.schema.js";
import { workloadSchema } from "./schemas/workload.schema.js";

// `verbose` keeps the offending value and its schema on each error, so a limit can be reported with
// the value found and the reason the schema's description gives.
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, discriminator: true, verbose: true });

export const schemas = {
  model: modelSchema,
  gpu: gpuSchema,
  "kv-media": kvMediaSchema,
  "model-catalog": modelCatalogSchema,
  "gpu-catalog": gpuCatalogSchema,
  "kv-media-catalog": kvMediaCatalogSchema,
  deployment: deploymentSchema,
  workload: workloadSchema,
  "slo-spec": sloSpecSchema,
  "search-space": searchSpaceSchema,
  prices: pricesSchema,
  frontier: frontierSchema,
  "nightly-plan": nightlyPlanSchema,
} as const;

export type SchemaKind = keyof typeof schemas;

const compiled = new Map<SchemaKind, ValidateFunction>();

function validator(kind: SchemaKind): ValidateFunction {
  let v = compiled.get(kind);
  if (!v) {
    v = ajv.compile(schemas[kind] as object);
    compiled.set(kind, v);
  }
  return v;
}

/** A value as an error message shows it: JSON, cut to 40 characters. */
function showValue(v: unknown): string {
  const s = v === undefined ? "nothing" : JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Turns ajv errors into issues that say what was expected, in plain words. */
export function describeAjvErrors(errors: readonly ErrorObject[], file?: string): InputIssue[] {
  const issues: InputIssue[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    let path = e.instancePath;
    let message: string;
    switch (e.keyword) {
      case "additionalProperties":
        path = `${path}/${(e.params as { additionalProperty: string }).additionalProperty}`;
        message = "unknown field (not allowed here)";
        break;
      case "required":
        path = `${path}/${(e.params as { missingProperty: string }).missingProperty}`;
        message = "is required";
        break;
      case "enum":
        message = `expected one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
        break;
      case "const":
        message = `expected ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
        break;
      case "maximum":
      case "minimum":
      case "exclusiveMaximum":
      case "exclusiveMinimum": {
        const p = e.params as { comparison: string; limit: number };
        const words: Record<string, string> = { "<=": "at most", ">=": "at least", "<": "below", ">": "above" };
        // The schema's description gives the reason for an upper limit; lower limits need none.
        const why = p.comparison.startsWith("<") ? (e.parentSchema as { description?: string } | undefined)?.description : undefined;
        message = `expected ${words[p.comparison] ?? p.comparison} ${p.limit}, got ${showValue(e.data)}${why ? ` (${why})` : ""}`;
        break;
      }
      case "minLength":
        message = `expected a non-empty string, got ${showValue(e.data)}`;
        break;
      case "minProperties":
        message = `expected an object with at least ${(e.params as { limit: number }).limit} field(s), got ${showValue(e.data)}`;
        break;
      case "type":
        message = `expected ${(e.params as { type: string | string[] }).type}, got ${showValue(e.data)}`;
        break;
      case "discriminator":
        message = `expected "kind" to be one of the known kinds (${(e.params as { tag?: string }).tag ?? "kind"} is missing or unknown)`;
        break;
      default:
        message = `expected a value that ${e.message ?? "matches the schema"}`;
    }
    const key = `${path}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push({ file, path: path || "/", message });
  }
  return issues;
}

/**
 * Validates `data` against the schema of `kind`, applying defaults in place.
 * @throws InputError listing every problem found.
 */
export function validateSchema<T>(kind: SchemaKind, data: unknown, file?: string): T {
  const v = validator(kind);
  if (!v(data)) throw new InputError(describeAjvErrors(v.errors ?? [], file));
  return data as T;
}

/** Like validateSchema but returns the issues instead of throwing. */
export function checkSchema(kind: SchemaKind, data: unknown, file?: string): InputIssue[] {
  const v = validator(kind);
  return v(data) ? [] : describeAjvErrors(v.errors ?? [], file);
}
