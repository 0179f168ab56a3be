import type { KvDtype, WeightDtype } from "../../config/types.js";

/**
 * Bytes per weight element. int4 is weight-only with one bf16 scale per group of 128
 * (AWQ/GPTQ layout), hence the extra 2/128 bytes.
 */
export function weightBytesPerElement(dtype: WeightDtype): number {
  switch (dtype) {
    case "bf16":
      return 2;
    case "fp8":
      return 1;
    case "int4":
      return 0.5 + 2 / 128;
  }
}

/** Bytes per KV-cache element. */
export function kvBytesPerElement(dtype: KvDtype): number {
  return dtype === "fp8" ? 1 : 2;
}
