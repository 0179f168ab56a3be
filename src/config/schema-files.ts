/**
 * The `.schema.json` files the package ships in `schemas/` (one per input kind, and frontier.json's),
 * generated from the TypeScript schemas by `scripts/export-schemas.ts`; a test keeps them current.
 * An input names its file in `$schema`; `validate config` maps that name back to the kind.
 */
import { schemas, type SchemaKind } from "./validate.js";

/** The kinds shipped as files, with their titles. Catalog arrays are bundled data, not inputs. */
export const SCHEMA_FILES = {
  "slo-spec": "hisim-tune SLO spec: the service to plan for (model, workload, latency targets)",
  "search-space": "hisim-tune search space: the values of each axis the search explores",
  deployment: "hisim-tune deployment: one configuration a simulation runs",
  workload: "hisim-tune workload: synthetic traffic, a trace, or closed-loop benchmark clients",
  prices: "hisim-tune price list (--prices): USD per GPU-hour and per GB-hour of KV tiers",
  "nightly-plan": "hisim-tune nightly plan (nightly --plan): services, demand scales, regression thresholds",
  model: "hisim-tune model: a transformer architecture",
  gpu: "hisim-tune GPU: one accelerator SKU",
  "kv-media": "hisim-tune KV medium: an L2 or L3 KV-cache storage tier",
  frontier: "hisim-tune frontier.json: the main command's result",
} as const satisfies Partial<Record<SchemaKind, string>>;

export type ShippedSchemaKind = keyof typeof SCHEMA_FILES;

/** File name of a kind's schema ("slo-spec.schema.json"). */
export function schemaFileName(kind: ShippedSchemaKind): string {
  return `${kind}.schema.json`;
}

/** The kind a `$schema` value names (by its file name, wherever the file lives), or undefined. */
export function kindOfSchemaRef(ref: string): ShippedSchemaKind | undefined {
  const base = ref.split(/[\\/#?]/).filter((s) => s.length > 0).find((s) => s.endsWith(".schema.json"));
  const kind = base?.slice(0, -".schema.json".length);
  return kind !== undefined && kind in SCHEMA_FILES ? (kind as ShippedSchemaKind) : undefined;
}

/** The JSON text of each shipped schema file, by file name (two-space indent, final newline). */
export function renderSchemaFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of Object.keys(SCHEMA_FILES) as ShippedSchemaKind[]) {
    const doc = {
      $schema: "http://json-schema.org/draft-07/schema#",
      $id: schemaFileName(kind),
      title: SCHEMA_FILES[kind],
      ...(schemas[kind] as object),
    };
    out[schemaFileName(kind)] = `${JSON.stringify(doc, null, 2)}\n`;
  }
  return out;
}
