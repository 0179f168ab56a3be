/** Shared schema fragments. */

export const sourceSchema = {
  type: "string",
  minLength: 3,
  description: "Where the numbers of this entry come from (URL, document or measurement).",
} as const;

/**
 * `$schema` in an input file: the `.schema.json` file it follows (shipped in the package's
 * `schemas/` folder). Editors use it to complete and check the file; `validate config` reads it to
 * know the file's kind. The only field a schema allows beyond its own.
 */
export const schemaRefSchema = {
  type: "string",
  description: "The schema this file follows, e.g. \"../schemas/slo-spec.schema.json\".",
} as const;

export const weightDtypeSchema = { type: "string", enum: ["bf16", "fp8", "int4"] } as const;
export const kvDtypeSchema = { type: "string", enum: ["bf16", "fp8"] } as const;
export const evictionPolicySchema = { type: "string", enum: ["lru", "lfu"] } as const;
export const writePolicySchema = {
  type: "string",
  enum: ["write_through", "write_through_selective", "write_back"],
} as const;
export const prefetchPolicySchema = { type: "string", enum: ["best_effort", "wait_complete", "timeout"] } as const;
export const routerPolicySchema = {
  type: "string",
  enum: ["round_robin", "random", "least_load", "cache_aware", "power_of_two", "bucket"],
} as const;
export const engineKindSchema = { type: "string", enum: ["sglang", "vllm"] } as const;
export const traceFormatSchema = {
  type: "string",
  enum: ["auto", "mooncake", "bailian", "azure", "hisim", "vidur", "burstgpt"],
} as const;
