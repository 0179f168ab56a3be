import {
  engineKindSchema, evictionPolicySchema, kvDtypeSchema, prefetchPolicySchema, routerPolicySchema,
  schemaRefSchema, weightDtypeSchema, writePolicySchema,
} from "./common.schema.js";
import { L2_MAX_GB, L3_MAX_GB } from "./deployment.schema.js";

const uniqueList = <const T extends object>(items: T) => ({ type: "array", items, minItems: 1, uniqueItems: true }) as const;

/** Lists of values per axis; stage 1/2/3 of the search explore their product. */
export const searchSpaceSchema = {
  type: "object",
  additionalProperties: false,
  required: ["gpus", "tp"],
  properties: {
    $schema: schemaRefSchema,
    name: { type: "string" },
    gpus: uniqueList({ type: "string" }),
    tp: uniqueList({ type: "integer", minimum: 1, maximum: 64 }),
    weights: uniqueList(weightDtypeSchema),
    kvDtype: uniqueList(kvDtypeSchema),
    engines: uniqueList(engineKindSchema),
    maxRunningRequests: {
      type: "array", items: { type: "integer", minimum: 1 }, minItems: 2, maxItems: 2,
      description: "[lo, hi] range for the stage-1 binary search.",
    },
    chunkedPrefillSize: uniqueList({ type: "integer", minimum: 16 }),
    routerPolicies: uniqueList(routerPolicySchema),
    maxReplicas: { type: "integer", minimum: 1, maximum: 4096, description: "At most 4096, the most replicas a deployment may have." },
    maxGpus: { type: "integer", minimum: 1, maximum: 262_144 },
    l2CapacityGb: uniqueList({ type: "number", minimum: 0, maximum: L2_MAX_GB }),
    l3: {
      type: "object",
      additionalProperties: false,
      properties: {
        media: uniqueList({ type: "string" }),
        capacityGb: uniqueList({ type: "number", minimum: 0, maximum: L3_MAX_GB }),
      },
    },
    evictionPolicies: uniqueList(evictionPolicySchema),
    prefetchPolicies: uniqueList(prefetchPolicySchema),
    writePolicies: uniqueList(writePolicySchema),
    constraints: { type: "array", items: { type: "string", minLength: 1 } },
  },
} as const;
