import { schemaRefSchema, sourceSchema } from "./common.schema.js";

/** One accelerator SKU: peaks, memory, interconnect and the host memory and local NVMe of its usual node (prices live in price lists). */
export const gpuSchema = {
  type: "object",
  additionalProperties: false,
  required: [
    "id", "name", "source", "hbmGb", "hbmTBps", "bf16Tflops", "fp8Tflops", "int8Tops",
    "nvlinkGBps", "pcieGBps", "smCount", "gpusPerNode", "hostMemoryGbPerGpu", "hostMemorySource",
    "localNvmeGbPerGpu", "localNvmeSource",
  ],
  properties: {
    $schema: schemaRefSchema,
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
    smCount: { type: "integer", minimum: 1 },
    architecture: {
      type: "string", enum: ["ampere", "ada", "hopper", "blackwell"],
      description: "GPU architecture: a GPU without kernel tables borrows the measured utilization of a profiled GPU of the same architecture.",
    },
    boostClockMhz: {
      type: "number", exclusiveMinimum: 0,
      description: "Max SM clock, MHz: kernel launch and serial-latency floors scale with it (not with HBM bandwidth).",
    },
    clockSource: sourceSchema,
    gpusPerNode: { type: "integer", minimum: 1 },
    hostMemoryGbPerGpu: {
      type: "number", exclusiveMinimum: 0,
      description: "Host DRAM per GPU of the usual 8-GPU cloud node, GB: what an L2 KV tier of one replica may use per TP rank.",
    },
    hostMemorySource: sourceSchema,
    localNvmeGbPerGpu: {
      type: "number", minimum: 0,
      description: "Local NVMe (instance store) per GPU of the usual 8-GPU cloud node, GB: what an L3 tier on a node-local medium may fill per TP rank (0 = none).",
    },
    localNvmeSource: sourceSchema,
  },
} as const;
