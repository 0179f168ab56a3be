import { schemaRefSchema, sourceSchema } from "./common.schema.js";

/** A KV-cache storage medium for the L2 (host) or L3 (storage) tier (its price per GB-hour lives in the price lists). */
export const kvMediaSchema = {
  type: "object",
  additionalProperties: false,
  required: ["id", "name", "tier", "source", "readGBps", "writeGBps", "latencyUs"],
  properties: {
    $schema: schemaRefSchema,
    id: { type: "string", minLength: 1 },
    name: { type: "string" },
    tier: { type: "string", enum: ["l2", "l3"] },
    source: sourceSchema,
    readGBps: { type: "number", exclusiveMinimum: 0, description: "Per-node read bandwidth into the tier above." },
    writeGBps: { type: "number", exclusiveMinimum: 0 },
    latencyUs: { type: "number", minimum: 0, description: "Fixed cost per transfer batch." },
    onLocalNvme: {
      type: "boolean", default: false,
      description: "Stored on the node's own NVMe drives (instance store): an L3 tier on it holds at most the GPUs' localNvmeGbPerGpu.",
    },
  },
} as const;
