import { schemaRefSchema, traceFormatSchema } from "./common.schema.js";

/** A token-length distribution. */
export const lengthDistSchema = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    fixed: { type: "integer", minimum: 1 },
    uniform: { type: "array", items: { type: "integer", minimum: 1 }, minItems: 2, maxItems: 2 },
    lognormal: {
      type: "object",
      additionalProperties: false,
      required: ["mean", "sigma"],
      properties: {
        mean: { type: "number", exclusiveMinimum: 0, description: "Mean of the distribution, tokens." },
        sigma: { type: "number", minimum: 0, description: "Standard deviation of log(tokens)." },
      },
    },
    empirical: { type: "string", minLength: 1, description: "Trace file whose lengths are resampled." },
    max: { type: "integer", minimum: 1, description: "Values above are clipped." },
  },
} as const;

export const syntheticWorkloadSchema = {
  type: "object",
  additionalProperties: false,
  required: ["kind", "requests", "arrival", "inputTokens", "outputTokens"],
  properties: {
    $schema: schemaRefSchema,
    kind: { const: "synthetic" },
    requests: { type: "integer", minimum: 1 },
    arrival: {
      type: "object",
      additionalProperties: false,
      required: ["process", "ratePerS"],
      properties: {
        process: { type: "string", enum: ["poisson", "gamma", "constant"] },
        ratePerS: { type: "number", exclusiveMinimum: 0 },
        cv: { type: "number", exclusiveMinimum: 0, description: "Coefficient of variation of gaps (gamma)." },
      },
    },
    inputTokens: lengthDistSchema,
    outputTokens: lengthDistSchema,
    prefix: {
      type: "object",
      additionalProperties: false,
      properties: {
        systemPrompts: { type: "integer", minimum: 1 },
        systemPromptTokens: { type: "integer", minimum: 0 },
        zipfAlpha: { type: "number", minimum: 0 },
        sessions: {
          type: "object",
          additionalProperties: false,
          required: ["turnsMean"],
          properties: {
            turnsMean: { type: "number", minimum: 1 },
            thinkTimeMeanS: { type: "number", minimum: 0 },
          },
        },
      },
    },
    blockSize: { type: "integer", minimum: 1, description: "Tokens per prefix hash block (default 16)." },
  },
} as const;

export const traceWorkloadSchema = {
  type: "object",
  additionalProperties: false,
  required: ["kind", "path"],
  properties: {
    $schema: schemaRefSchema,
    kind: { const: "trace" },
    path: { type: "string", minLength: 1 },
    format: traceFormatSchema,
    timeScale: { type: "number", exclusiveMinimum: 0 },
    limit: { type: "integer", minimum: 0, description: "0 = every record." },
  },
} as const;

export const closedLoopWorkloadSchema = {
  type: "object",
  additionalProperties: false,
  required: ["kind", "concurrency", "requests", "inputTokens", "outputTokens"],
  properties: {
    $schema: schemaRefSchema,
    kind: { const: "closed-loop" },
    concurrency: { type: "integer", minimum: 1 },
    requests: { type: "integer", minimum: 1 },
    inputTokens: lengthDistSchema,
    outputTokens: lengthDistSchema,
  },
} as const;

export const workloadSchema = {
  type: "object",
  required: ["kind"],
  properties: { kind: { type: "string", enum: ["synthetic", "trace", "closed-loop"] } },
  discriminator: { propertyName: "kind" },
  oneOf: [syntheticWorkloadSchema, traceWorkloadSchema, closedLoopWorkloadSchema],
} as const;
