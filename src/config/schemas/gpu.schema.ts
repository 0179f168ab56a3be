import { sourceSchema } from "./common.schema.js";

/** One accelerator SKU: peaks, memory, interconnect and an on-demand price. */
export const gpuSchema = {
  type: "object",
  additionalProperties: false,
  required: [
    "id", "name", "source", "hbmGb", "hbmTBps", "bf16Tflops", "fp8Tflops", "int8Tops",
    "nvlinkGBps", "pcieGBps", "usdPerHour", "usdPerHourSource", "smCount", "gpusPerNode",
  ],
  properties: {
    id: { type: "string", minLength: 1 },
    name: { type: "string" },
    source: sourceSchema,
    hbmGb: { type: "number", exclusiveMinimum: 0, description: "Device memory in GB (10^9 bytes)." },
    hbmTBps: { type: "number", exclusiveMinimum: 0 },
    bf16Tflops: { type: "number", exclusiveMinimum: 0, description: "Dense bf16 tensor-core peak." },
    fp8Tflops: { type: ["number", "null"], description: "Dense fp8 peak; null = no fp8 tensor cores." },
    int8Tops: { type: "number", exclusiveMinimum: 0 },
    nvlinkGBps: { type: ["number", "null"], description: "Per-GPU NVLink bandwidth, both directions; null = PCIe only." },
    pcieGBps: { type: "number", exclusiveMinimum: 0, description: "Host link, one direction." },
    usdPerHour: { type: "number", minimum: 0 },
    usdPerHourSource: sourceSchema,
    smCount: { type: "integer", minimum: 1 },
    gpusPerNode: { type: "integer", minimum: 1 },
    hostDramGbPerNode: { type: "number", minimum: 0, default: 2048 },
  },
} as const;
