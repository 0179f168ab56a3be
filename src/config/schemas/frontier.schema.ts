import { deploymentSchema } from "./deployment.schema.js";
import { schemaRefSchema } from "./common.schema.js";

/** A latency in ms; null when no request completed (JSON has no Infinity). */
const msOrNull = { type: ["number", "null"] } as const;

const pointSchema = {
  type: "object",
  additionalProperties: false,
  required: [
    "id", "stage", "deployment", "latency", "capacityRps", "capacityEstimated", "costUsdPerHour", "usdPerMillionTokens", "prefixHitRate",
    "sloMet", "confirmedSeeds",
  ],
  properties: {
    id: { type: "string", description: "Hash of the deployment: stable across runs and stages." },
    stage: { type: "integer", enum: [1, 2, 3] },
    deployment: deploymentSchema,
    latency: {
      type: "object",
      additionalProperties: false,
      required: ["ttftMs", "tpotMs"],
      description: "Latencies at the SLO's percentiles, at the planned demand (lower bounds when earlyStopped).",
      properties: { ttftMs: msOrNull, tpotMs: msOrNull, e2eMs: msOrNull },
    },
    capacityRps: { type: "number", minimum: 0, description: "Highest request rate (2.5% resolution) at which this exact cluster meets every target on every confirmation seed's full workload; an estimate when capacityEstimated." },
    capacityEstimated: { type: "boolean", description: "True when capacityRps is an estimate rather than measured on cluster simulations (points off the frontier)." },
    capacityAtLeast: { type: "boolean", description: "The SLO still held at the highest rate measured: the capacity is at least capacityRps." },
    costUsdPerHour: { type: "number", minimum: 0, description: "Under the file's price list (`prices`)." },
    usdPerMillionTokens: { type: ["number", "null"], minimum: 0, description: "Per 1M output tokens; null when nothing was served." },
    prefixHitRate: { type: "number", minimum: 0, maximum: 1 },
    sloMet: { type: "boolean" },
    confirmedSeeds: { type: "array", items: { type: "integer" }, description: "Seeds under which the full workload met every target (empty: not confirmed)." },
    earlyStopped: { type: "boolean", description: "Its trial stopped once a target was certainly missed: latency holds lower bounds." },
    equivalentIds: { type: "array", items: { type: "string" }, description: "--exhaustive: grid points that simulated identically and were collapsed into this one." },
    confirmation: {
      type: "object",
      additionalProperties: false,
      required: ["rateRps", "seeds"],
      description: "The confirmation runs on other seeds' full workloads.",
      properties: {
        rateRps: { type: "number", minimum: 0 },
        seeds: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["seed", "sloMet", "latency"],
            properties: {
              seed: { type: "integer" },
              sloMet: { type: "boolean" },
              latency: { type: "object", additionalProperties: false, required: ["ttftMs", "tpotMs"], properties: { ttftMs: msOrNull, tpotMs: msOrNull, e2eMs: msOrNull } },
              earlyStopped: { type: "boolean" },
              note: { type: "string" },
            },
          },
        },
      },
    },
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
  required: ["schemaVersion", "runId", "status", "runs", "wallS", "demandRps", "prices", "recommended", "frontier", "points"],
  properties: {
    $schema: schemaRefSchema,
    schemaVersion: { const: 2, description: "Layout version of this file." },
    runId: { type: "string" },
    status: { type: "string", enum: ["ok", "infeasible", "partial"], description: "ok: a deployment meets the SLO; infeasible: none does; partial: the search was cut short (--max-runs)." },
    statusReason: { type: "string", description: "Why the status is not ok, in words (a cut search says so)." },
    runs: { type: "integer", minimum: 0, description: "Simulations run." },
    wallS: { type: "number", minimum: 0 },
    demandRps: { type: "number", minimum: 0 },
    prices: { type: "string", description: "Name of the price list every cost uses." },
    headroom: { type: "number", minimum: 0, description: "--headroom: the search planned for demand x (1 + headroom)." },
    planRps: { type: "number", minimum: 0, description: "The planned rate: demandRps x (1 + headroom)." },
    seed: { type: "integer", description: "The search seed." },
    confirmSeeds: { type: "array", items: { type: "integer" }, description: "Seeds whose full workloads confirmed the frontier (never the search seed)." },
    capacitySeeds: { type: "array", items: { type: "integer" }, description: "Seeds whose full workloads the capacities were measured on: the confirmation seeds and two more." },
    recommended: { ...pointSchema, type: ["object", "null"], description: "The cheapest deployment that meets every target; null when none does." },
    frontier: { type: "array", items: pointSchema },
    points: { type: "array", items: pointSchema },
    closest: { type: "array", items: pointSchema, description: "When nothing meets the SLO: the closest misses, best first." },
    screened: {
      type: "array",
      description: "Configurations stage 1 dropped, with the reason.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["gpu", "tp", "weights", "kvDtype", "engine", "reason"],
        properties: {
          gpu: { type: "string" }, tp: { type: "integer" }, weights: { type: "string" }, kvDtype: { type: "string" },
          engine: { type: "string" },
          reason: { type: "string", enum: ["memory", "shape", "constraints", "decode-tpot", "lone-prefill-ttft", "dominated", "ranked-out"] },
          detail: { type: "string", description: "The figures behind the reason, in words." },
        },
      },
    },
    verdicts: {
      type: "array",
      description: "Per target, how many requests its verdicts rested on.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["metric", "percentile", "requestsNeeded", "workloadRequests", "trialRequests", "trialTailRequests", "confirmRequests", "enough", "tailTarget"],
        properties: {
          metric: { type: "string", enum: ["ttftMs", "tpotMs", "e2eMs"] },
          percentile: { type: "number" },
          requestsNeeded: { type: "integer", description: "Requests for a tail of tailTarget above the percentile." },
          workloadRequests: { type: "integer", description: "Requests of the spec's workload that count for this metric." },
          trialRequests: { type: "integer", description: "Fewest requests a search trial's percentile was taken over." },
          trialTailRequests: { type: "integer" },
          confirmRequests: { type: "integer", description: "Requests each confirmation run's percentile was taken over." },
          enough: { type: "boolean", description: "False when the workload is smaller than requestsNeeded (all of it was used)." },
          tailTarget: { type: "integer" },
        },
      },
    },
    tierTrials: {
      type: "array",
      description: "Stage 3: each KV-tier option tried on a stage-2 winner and what it did.",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["baseId", "option", "outcome"],
        properties: {
          baseId: { type: "string" }, option: { type: "string" },
          outcome: { type: "string", enum: ["kept", "no gain", "misses", "skipped"] },
          reason: { type: "string" }, pointId: { type: "string" }, replicas: { type: "integer" },
          costUsdPerHour: { type: "number" }, ttftMs: msOrNull,
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
