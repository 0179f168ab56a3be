/**
 * Hugging Face names of quantized checkpoints resolve to the catalog's base model with fp8 weights:
 * `nvidia/Llama-3.1-8B-Instruct-FP8` is `llama-3.1-8b` with fp8 weights, `Qwen/Qwen3-32B-FP8` is
 * `qwen3-32b` with fp8 weights. The fp8 GEMM kind is the checkpoint's own quantization scheme, from
 * its `quantization_config` on the Hub: Qwen's official FP8 checkpoints are block-quantized
 * (`weight_block_size: [128, 128]`, run with the block fp8 GEMM); NVIDIA ModelOpt
 * (`quant_algo: FP8`) and Red Hat / Neural Magic compressed-tensors FP8 checkpoints use one scale
 * per tensor (or channel), run with the per-tensor fp8 GEMM.
 */
import type { ModelSpec } from "../config/types.js";

export type Fp8GemmKind = "fp8" | "fp8_block";

export interface Checkpoint {
  /** The catalog model the checkpoint quantizes. */
  model: ModelSpec;
  weights: "fp8";
  fp8Gemm: Fp8GemmKind;
}

/** Name suffixes of fp8 checkpoints (case-insensitive), longest first. */
const FP8_SUFFIXES = ["-fp8-dynamic", "-fp8-block", "-fp8-static", "-fp8"] as const;

/** Publishers whose fp8 checkpoints are block-quantized (128 x 128 weight blocks). */
const BLOCK_PUBLISHERS = new Set(["qwen", "deepseek-ai"]);

const norm = (s: string) => s.trim().toLowerCase();
const baseName = (s: string) => norm(s).split("/").pop() ?? "";

/**
 * The checkpoint a name refers to, when it is a quantized variant of one of `models` (matched by
 * the name without its fp8 suffix, with or without its org, against the ids and aliases); undefined
 * otherwise. `resolveCheckpoint` in ./index.ts applies it to the catalog.
 */
export function checkpointOf(ref: string, models: readonly ModelSpec[]): Checkpoint | undefined {
  const key = norm(ref);
  const suffix = FP8_SUFFIXES.find((s) => key.endsWith(s));
  if (!suffix) return undefined;
  const stem = key.slice(0, key.length - suffix.length);
  const stemBase = baseName(stem);
  const model = models.find(
    (m) => norm(m.id) === stem || m.aliases.some((a) => norm(a) === stem) ||
      norm(m.id) === stemBase || m.aliases.some((a) => baseName(a) === stemBase),
  );
  if (!model) return undefined;
  const org = key.includes("/") ? key.slice(0, key.indexOf("/")) : "";
  const block = suffix === "-fp8-block" || BLOCK_PUBLISHERS.has(org) || model.nativeWeights === "fp8";
  return { model, weights: "fp8", fp8Gemm: block ? "fp8_block" : "fp8" };
}

/**
 * The fp8 GEMM kind a measured row ran, from AIConfigurator's `gemm_quant_mode` ("fp8" per-tensor,
 * "fp8_block" block-wise); undefined when the row is not fp8.
 */
export function fp8GemmOfQuantMode(mode: string): Fp8GemmKind | undefined {
  const m = norm(mode);
  if (m === "fp8_block") return "fp8_block";
  if (m.startsWith("fp8")) return "fp8";
  return undefined;
}
