import { schemaRefSchema } from "./common.schema.js";
import { workloadSchema } from "./workload.schema.js";

const latencyTargetSchema = {
  type: "object",
  additionalProperties: false,
  required: ["percentile", "max"],
  properties: {
    percentile: { type: "number", exclusiveMinimum: 0, maximum: 100 },
    max: { type: "number", exclusiveMinimum: 0, description: "Milliseconds." },
  },
} as const;

/** The service to plan for: model, traffic and latency targets. */
export const sloSpecSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "model", "workload", "targets"],
  properties: {
    $schema: schemaRefSchema,
    name: { type: "string", minLength: 1 },
    description: { type: "string" },
    model: { type: "string", minLength: 1 },
    workload: workloadSchema,
    targets: {
      type: "object",
      additionalProperties: false,
      required: ["ttftMs", "tpotMs"],
      properties: {
        ttftMs: latencyTargetSchema,
        tpotMs: latencyTargetSchema,
        e2eMs: latencyTargetSchema,
        minThroughputRps: { type: "number", exclusiveMinimum: 0 },
      },
    },
    searchSpace: { type: "string", minLength: 1 },
  },
} as const;
