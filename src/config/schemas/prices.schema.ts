import { schemaRefSchema, sourceSchema } from "./common.schema.js";

const usdMap = (description: string) =>
  ({ type: "object", additionalProperties: { type: "number", minimum: 0 }, description }) as const;
const sourceMap = (description: string) => ({ type: "object", additionalProperties: sourceSchema, description }) as const;

/**
 * A price list (bundled under `src/catalog/prices/`, or a user file for `--prices`). A user file may
 * list only some GPUs or media; the rest come from the default list. Every figure of a bundled list
 * carries its source (`gpuSources`, `mediaSources`, `hostMemorySource`) and the list its date.
 */
export const pricesSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name"],
  properties: {
    $schema: schemaRefSchema,
    name: { type: "string", minLength: 1, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", description: "Id of the list, named in every output priced with it." },
    default: { type: "boolean", description: "Marks the bundled list used when --prices is absent (one list only)." },
    description: { type: "string", description: "What the list is and when to use it." },
    source: { ...sourceSchema, description: "Where the figures come from, and when." },
    date: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "Date the figures were last read (YYYY-MM-DD)." },
    gpuUsdPerHour: usdMap("USD per GPU-hour by GPU catalog id."),
    gpuSources: sourceMap("Source of each GPU price, by GPU id (say 'estimate' when it is one)."),
    hostMemoryUsdPerGbHour: {
      type: "number", minimum: 0,
      description: "USD per GB-hour of host memory used as an L2 KV tier (0: part of the GPU instance, up to hostMemoryGbPerGpu x tp per replica).",
    },
    hostMemorySource: sourceSchema,
    mediaUsdPerGbHour: usdMap("USD per GB-hour of an L3 KV medium, by KV media catalog id."),
    mediaSources: sourceMap("Source of each medium's price, by medium id."),
  },
} as const;
