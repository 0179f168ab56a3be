import { schemaRefSchema, traceFormatSchema } from "./common.schema.js";

/**
 * Hard limits that keep a typo (`1e8` for `1e3`) from allocating gigabytes before anything can say
 * it is wrong. Each is far beyond any real use; the model-aware rules (context length) are tighter.
 */
export const LIMITS = {
  /** Tokens in one length: 10M, above every model's context window (the longest bundled: 262,144). */
  tokens: 10_000_000,
  /**
   * Requests of a generated workload: a request table costs ~40 bytes per request plus 4 per prefix
   * block, and a simulation keeps ~60 bytes of outcome per request; 2M chat-length requests are
   * ~0.5 GB and minutes per simulation. Longer replays: a trace file with `limit`.
   */
  requests: 2_000_000,
  /**
   * Log-sd of a lognormal length: at 3 the median is the mean / 90 and one draw in 1,000 is
   * 150x the median; measured prompt and answer lengths have 0.5-1.5.
   */
  lognormalSigma: 3,
  /** Arrival rate, req/s: a million is beyond any fleet one search plans for. */
  ratePerS: 1_000_000,
} as const;

const tokenCount = {
  type: "integer", minimum: 1, maximum: LIMITS.tokens,
  description: "Tokens; at most 10,000,000, beyond every model's context window.",
} as const;

const requestCount = {
  type: "integer", minimum: 1, maximum: LIMITS.requests,
  description: "Requests, every turn counted; at most 2,000,000 (the request table and outcomes of 2M requests are ~0.5 GB; replay longer traces with a trace workload and `limit`).",
} as const;

/** A token-length distribution. */
export const lengthDistSchema = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    fixed: tokenCount,
    uniform: { type: "array", items: tokenCount, minItems: 2, maxItems: 2 },
    lognormal: {
      type: "object",
      additionalProperties: false,
      required: ["mean", "sigma"],
      properties: {
        mean: { type: "number", exclusiveMinimum: 0, maximum: LIMITS.tokens, description: "Mean of the distribution, tokens (at most 10,000,000)." },
        sigma: {
          type: "number", minimum: 0, maximum: LIMITS.lognormalSigma,
          description: "Standard deviation of log(tokens); at most 3 (then the median is the mean / 90; measured lengths have 0.5-1.5).",
        },
      },
    },
    empirical: { type: "string", minLength: 1, description: "Trace file whose lengths are resampled." },
    max: { ...tokenCount, description: "Values above are clipped." },
  },
} as const;

export const syntheticWorkloadSchema = {
  type: "object",
  additionalProperties: false,
  required: ["kind", "requests", "arrival", "inputTokens", "outputTokens"],
  properties: {
    $schema: schemaRefSchema,
    kind: { const: "synthetic" },
    requests: requestCount,
    arrival: {
      type: "object",
      additionalProperties: false,
      required: ["process", "ratePerS"],
      properties: {
        process: { type: "string", enum: ["poisson", "gamma", "constant"] },
        ratePerS: { type: "number", minimum: 1e-6, maximum: LIMITS.ratePerS, description: "Requests per second, between 1e-6 (one in 11 days) and 1,000,000." },
        cv: {
          type: "number", minimum: 0.01, maximum: 100,
          description: "Coefficient of variation of gaps (gamma), between 0.01 and 100 (gamma shape 1/cv^2; for evenly spaced arrivals use the constant process); measured bursty traffic has 1-10.",
        },
      },
    },
    inputTokens: lengthDistSchema,
    outputTokens: lengthDistSchema,
    prefix: {
      type: "object",
      additionalProperties: false,
      properties: {
        systemPrompts: { type: "integer", minimum: 1, maximum: LIMITS.requests },
        systemPromptTokens: { type: "integer", minimum: 0, maximum: LIMITS.tokens },
        zipfAlpha: { type: "number", minimum: 0, maximum: 100 },
        sessions: {
          type: "object",
          additionalProperties: false,
          required: ["turnsMean"],
          properties: {
            turnsMean: { type: "number", minimum: 1, maximum: 10_000 },
            thinkTimeMeanS: { type: "number", minimum: 0, maximum: 86_400, description: "Mean think time between turns, seconds; at most a day." },
          },
        },
      },
    },
    blockSize: { type: "integer", minimum: 1, maximum: 65_536, description: "Tokens per prefix hash block (default 16)." },
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
    timeScale: { type: "number", minimum: 1e-6, maximum: 1e6, description: "Arrival times are multiplied by this; between 1e-6 and 1e6." },
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
    requests: requestCount,
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
