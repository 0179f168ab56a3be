import { gpuSchema } from "./gpu.schema.js";
import { kvMediaSchema } from "./kv-media.schema.js";
import { modelSchema } from "./model.schema.js";

/** The bundled catalog files are arrays of entries. */
export const modelCatalogSchema = { type: "array", items: modelSchema } as const;
export const gpuCatalogSchema = { type: "array", items: gpuSchema } as const;
export const kvMediaCatalogSchema = { type: "array", items: kvMediaSchema } as const;
