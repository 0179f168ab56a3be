import { deploymentSchema } from "./deployment.schema.js";
import { schemaRefSchema } from "./common.schema.js";

/** A latency in ms; null when no request completed (JSON has no Infinity). */
const msOrNull = { type: ["number", "null"] } as const;

const pointSchema = {
  type: "object",
  additionalProperties: false,
  required: ["id", "stage", "deployment", "latency", "capacityRps", "costUsdPerHour", "usdPerMillionTokens", "prefixHitRate", "sloMet"],
  properties: {
    id: { type: "string", description: "Hash of the deployment: stable across runs and stages." },
    stage: { type: "integer", enum: [1, 2, 3] },
    deployment: deploymentSchema,
    latency: {
      type: "object",
      additionalProperties: false,
      required: ["ttftMs", "tpotMs"],
      description: "Latencies at the SLO's percentiles, at the demanded load.",
      properties: { ttftMs: msOrNull, tpotMs: msOrNull, e2eMs: msOrNull },
    },
    capacityRps: { type: "number", minimum: 0, description: "Highest request rate the deployment sustains within every target." },
    capacityEstimated: { type: "boolean", description: "True when capacityRps is an estimate rather than measured on cluster simulations." },
    costUsdPerHour: { type: "number", minimum: 0, description: "Under the file's price list (`prices`)." },
    usdPerMillionTokens: { type: ["number", "null"], minimum: 0, description: "Per 1M output tokens; null when nothing was served." },
    prefixHitRate: { type: "number", minimum: 0, maximum: 1 },
    sloMet: { type: "boolean" },
    confirmedSeeds: { type: "array", items: { type: "integer" }, description: "Seeds under which the full workload met every target." },
    cdf: {
      type: "object",
      additionalProperties: false,
      required: ["ttftMs", "tpotMs"],
      properties: { ttftMs: { type: "array", items: msOrNull }, tpotMs: { type: "array", items: msOrNull } },
    },
    note: { type: "string", description: "Why the point misses the SLO, when it does." },
  },
} as const;

/** `frontier.json`: what the main command writes and prints with --json. */
export const frontierSchema = {
  type: "object",
  additionalProperties: false,
  required: ["schemaVersion", "runId", "runs", "wallS", "demandRps", "prices", "recommended", "frontier", "points"],
  properties: {
    $schema: schemaRefSchema,
    schemaVersion: { const: 2, description: "Layout version of this file." },
    runId: { type: "string" },
    status: { type: "string", enum: ["ok", "infeasible", "partial"], description: "ok: a deployment meets the SLO; infeasible: none does; partial: the search was cut short (--max-runs)." },
    runs: { type: "integer", minimum: 0, description: "Simulations run." },
    wallS: { type: "number", minimum: 0 },
    demandRps: { type: "number", minimum: 0 },
    prices: { type: "string", description: "Name of the price list every cost uses." },
    recommended: { ...pointSchema, type: ["object", "null"], description: "The cheapest deployment that meets every target; null when none does." },
    frontier: { type: "array", items: pointSchema },
    points: { type: "array", items: pointSchema },
    closest: { type: "array", items: pointSchema, description: "When nothing meets the SLO: the closest misses, best first." },
    screened: {
      type: "array",
      description: "Configurations stage 1 dropped, with the reason.",
      items: {
        type: "object",
        required: ["gpu", "tp", "weights", "kvDtype", "engine", "reason"],
        properties: {
          gpu: { type: "string" }, tp: { type: "integer" }, weights: { type: "string" }, kvDtype: { type: "string" },
          engine: { type: "string" }, reason: { type: "string" },
        },
      },
    },
    hitCurve: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["capacityTokens", "tokenHitRate", "blockHitRate"],
        properties: { capacityTokens: { type: "number" }, tokenHitRate: { type: "number" }, blockHitRate: { type: "number" } },
      },
    },
  },
} as const;
