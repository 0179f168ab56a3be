/**
 * What `--model-path` / `vllm serve` gets: the checkpoint to load, and whether the engine must
 * quantize it online. A Hugging Face name in the deployment is used as written; a catalog id
 * becomes the model's Hugging Face name; a config.json path becomes its folder.
 */
import { dirname } from "node:path";
import type { Deployment, ModelSpec } from "../config/types.js";
import type { Word } from "./command.js";

export interface ModelRef {
  /** The checkpoint (or a `${VAR:?...}` placeholder when none can be named). */
  checkpoint: Word;
  /** `--quantization fp8`: online FP8 quantization of a bf16 checkpoint. */
  onlineFp8: boolean;
  notes: string[];
}

/**
 * The Hugging Face name of a catalog model: its instruction-tuned checkpoint when the catalog names
 * one (what a service runs; same architecture as the base), else its first name with an
 * organisation, else its id.
 */
export function hfName(model: ModelSpec): string {
  const named = model.aliases.filter((a) => a.includes("/") && !/fp8/i.test(a));
  return named.find((a) => /instruct/i.test(a)) ?? named[0] ?? model.id;
}

/**
 * The checkpoint for `d`'s weights. Pre-quantized checkpoints carry their method in their config,
 * which both engines read (SGLang `ModelConfig._verify_quantization`, vLLM `ModelConfig`); a method
 * on the command line that disagrees is an error, so none is written for them.
 */
export function modelRef(d: Deployment, model: ModelSpec): ModelRef {
  const named = d.model.endsWith(".json") ? dirname(d.model) : d.model.includes("/") ? d.model : hfName(model);
  const preQuantized = /fp8/i.test(named) || model.nativeWeights === "fp8";
  if (d.weights === "fp8") return { checkpoint: named, onlineFp8: !preQuantized, notes: [] };
  if (d.weights === "int4") {
    return {
      checkpoint: { shell: `"\${INT4_CHECKPOINT:?set INT4_CHECKPOINT to an AWQ or GPTQ int4 checkpoint of ${named}}"` },
      onlineFp8: false,
      notes: [
        `int4 weights: neither engine quantizes to int4 weight-only online; set INT4_CHECKPOINT to an AWQ or GPTQ int4 checkpoint of ${named} ` +
          "(the engine reads the method from its config).",
      ],
    };
  }
  if (model.nativeWeights === "fp8") {
    return {
      checkpoint: { shell: `"\${BF16_CHECKPOINT:?set BF16_CHECKPOINT to a bf16 conversion of ${named}}"` },
      onlineFp8: false,
      notes: [`bf16 weights: ${named} is published in fp8; set BF16_CHECKPOINT to a bf16 conversion of it.`],
    };
  }
  return { checkpoint: named, onlineFp8: false, notes: [] };
}
