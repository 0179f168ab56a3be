/**
 * Loads the bundled measured kernel tables (`src/catalog/profiles/<gpu>/*.csv`, compacted from
 * AIConfigurator's SGLang 0.5.9 tables by `scripts/compact-profiles.ts`) and the fitted roofline
 * parameters (`src/catalog/profiles/roofline-fit.json`). Read once per process and cached.
 */
import { existsSync, readFileSync } from "node:fs";
import { InputError } from "../errors.js";
import { readKernelCsv } from "../io/kernel-csv.js";
import type { KernelProfiles, RooflineFitSet } from "../sim/estimator/kernel-profiles.js";
import { catalogAssetPath } from "./index.js";

const cache = new Map<string, KernelProfiles | undefined>();
let fits: RooflineFitSet | undefined;

/** The bundled tables of `gpuId`, or undefined when that GPU was never profiled. */
export function loadKernelProfiles(gpuId: string): KernelProfiles | undefined {
  if (cache.has(gpuId)) return cache.get(gpuId);
  const dir = catalogAssetPath(`profiles/${gpuId}`);
  let out: KernelProfiles | undefined;
  if (existsSync(`${dir}/gemm_perf.csv`)) {
    const read = <K extends string>(name: string, kind: K) => {
      const path = `${dir}/${name}`;
      if (!existsSync(path)) return [];
      const t = readKernelCsv(path);
      if (t.kind !== kind) throw new InputError({ file: path, message: `expected a ${kind} table, found ${t.kind}` });
      return t.rows;
    };
    out = {
      gpuId,
      gemm: read("gemm_perf.csv", "gemm") as KernelProfiles["gemm"],
      context: read("context_attention_perf.csv", "context") as KernelProfiles["context"],
      generation: read("generation_attention_perf.csv", "generation") as KernelProfiles["generation"],
      allreduce: read("custom_allreduce_perf.csv", "allreduce") as KernelProfiles["allreduce"],
    };
  }
  cache.set(gpuId, out);
  return out;
}

/** The fitted roofline parameters for every training set. */
export function loadRooflineFits(): RooflineFitSet {
  if (fits) return fits;
  const path = catalogAssetPath("profiles/roofline-fit.json");
  if (!existsSync(path)) throw new InputError({ file: path, message: "bundled roofline fit is missing (run scripts/compact-profiles.ts)" });
  fits = JSON.parse(readFileSync(path, "utf8")) as RooflineFitSet;
  return fits;
}
