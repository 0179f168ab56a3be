/**
 * The bundled catalogs (models, GPUs, KV media): read once from the JSON files next to this module,
 * validated against their schemas. Lookups throw InputError with the known ids when a name is unknown.
 */
import { readFileSync, existsSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../errors.js";
import type { GpuSpec, KvMediaSpec, ModelSpec } from "../config/types.js";
import { validateSchema } from "../config/validate.js";
import { checkpointOf, type Checkpoint } from "./checkpoints.js";
import { modelFromHfConfig } from "./hf-config.js";

const here = dirname(fileURLToPath(import.meta.url));

/** Absolute path of a bundled catalog asset (works from src/ under vitest/tsx and from dist/). */
export function catalogAssetPath(rel: string): string {
  const local = resolve(here, rel);
  if (existsSync(local)) return local;
  // dist/catalog/ -> src/catalog/ when assets were not copied next to the build.
  return resolve(here, "../../src/catalog", rel);
}

function readCatalog<T>(file: string, kind: "model-catalog" | "gpu-catalog" | "kv-media-catalog"): T[] {
  const path = catalogAssetPath(file);
  return validateSchema<T[]>(kind, JSON.parse(readFileSync(path, "utf8")), path);
}

let models: ModelSpec[] | undefined;
let gpus: GpuSpec[] | undefined;
let media: KvMediaSpec[] | undefined;

export function listModels(): ModelSpec[] {
  return (models ??= readCatalog<ModelSpec>("models.json", "model-catalog"));
}
export function listGpus(): GpuSpec[] {
  return (gpus ??= readCatalog<GpuSpec>("gpus.json", "gpu-catalog"));
}
export function listKvMedia(): KvMediaSpec[] {
  return (media ??= readCatalog<KvMediaSpec>("kv-media.json", "kv-media-catalog"));
}

const norm = (s: string) => s.trim().toLowerCase();

/**
 * Resolves a model reference: a catalog id, a Hugging Face name (alias), or a path to a HF
 * `config.json` (relative to `baseDir`).
 */
export function resolveModel(ref: string, baseDir = process.cwd(), where?: { file?: string; path?: string }): ModelSpec {
  const key = norm(ref);
  const hit = listModels().find((m) => norm(m.id) === key || m.aliases.some((a) => norm(a) === key));
  if (hit) return hit;
  const ckpt = resolveCheckpoint(ref);
  if (ckpt) return ckpt.model;
  if (ref.endsWith(".json")) {
    const path = resolve(baseDir, ref);
    if (!existsSync(path)) {
      throw new InputError({ file: where?.file, path: where?.path, message: `model config ${path} does not exist` });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new InputError({ file: path, message: `not valid JSON (${(e as Error).message})` });
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new InputError({ file: path, path: "/", message: "expected a Hugging Face config object" });
    }
    const { model, issues } = modelFromHfConfig(raw as Record<string, unknown>, basename(dirname(path)) || ref, path);
    if (!model) throw new InputError(issues);
    return validateSchema<ModelSpec>("model", model, path);
  }
  throw new InputError({
    file: where?.file,
    path: where?.path,
    message: `unknown model "${ref}"; expected one of ${listModels().map((m) => m.id).join(", ")}, a Hugging Face name, or a path to a config.json`,
  });
}

/**
 * A quantized checkpoint's base model and weights (`nvidia/Llama-3.1-8B-Instruct-FP8` ->
 * llama-3.1-8b, fp8 per-tensor; `Qwen/Qwen3-32B-FP8` -> qwen3-32b, fp8 block); undefined for other
 * names. See ./checkpoints.ts.
 */
export function resolveCheckpoint(ref: string): Checkpoint | undefined {
  return checkpointOf(ref, listModels());
}

export function resolveGpu(id: string, where?: { file?: string; path?: string }): GpuSpec {
  const hit = listGpus().find((g) => norm(g.id) === norm(id));
  if (hit) return hit;
  throw new InputError({
    file: where?.file,
    path: where?.path,
    message: `unknown GPU "${id}"; expected one of ${listGpus().map((g) => g.id).join(", ")}`,
  });
}

export function resolveKvMedia(id: string, where?: { file?: string; path?: string }): KvMediaSpec {
  const hit = listKvMedia().find((m) => norm(m.id) === norm(id));
  if (hit) return hit;
  throw new InputError({
    file: where?.file,
    path: where?.path,
    message: `unknown KV medium "${id}"; expected one of ${listKvMedia().map((m) => m.id).join(", ")}`,
  });
}
