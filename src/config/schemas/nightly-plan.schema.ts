import { schemaRefSchema } from "./common.schema.js";

/**
 * A nightly capacity plan (`nightly --plan`): services (SLO specs) searched at each demand scale
 * (the growth forecast) under one price list, compared with the previous night's report.
 * Paths resolve relative to the plan file.
 */
export const nightlyPlanSchema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "services"],
  properties: {
    $schema: schemaRefSchema,
    name: { type: "string", minLength: 1, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", description: "Names the nightly folders: results/nightly/<date>-<name>/." },
    description: { type: "string" },
    prices: { type: "string", minLength: 1, description: "A bundled price list's name or a prices file; --prices overrides it. Default: the bundled default list." },
    seed: { type: "integer", minimum: 0, maximum: 2147483647, default: 1, description: "Search seed of every service (fixed, so nights differ only by what changed)." },
    maxRunsPerService: { type: "integer", minimum: 1, description: "Cap on simulations of each service and scale (a cut search is partial: exit 3)." },
    services: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["slo"],
        properties: {
          slo: { type: "string", minLength: 1, description: "SLO spec file." },
          name: { type: "string", minLength: 1, pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$", description: "Default: the spec's name." },
          space: { type: "string", minLength: 1, description: "Search space file (default: the spec's)." },
          demandScales: {
            type: "array", minItems: 1, uniqueItems: true, default: [1],
            items: { type: "number", exclusiveMinimum: 0, maximum: 1000 },
            description: "Factors on the spec's demand (1 = today's, 1.5 = the forecast).",
          },
        },
      },
    },
    regression: {
      type: "object",
      additionalProperties: false,
      default: {},
      description: "When a change against the baseline is a regression (percent of the baseline value).",
      properties: {
        costIncreasePct: { type: "number", minimum: 0, default: 5 },
        capacityDropPct: { type: "number", minimum: 0, default: 5 },
        headroomDropPct: { type: "number", minimum: 0, description: "Absent: a headroom change is reported, never a regression by itself." },
      },
    },
  },
} as const;
