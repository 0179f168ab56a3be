/**
 * Loads the bundled measured kernel tables (`src/catalog/profiles/<gpu>/*.csv`, compacted from
 * AIConfigurator's SGLang 0.5.9 tables by `scripts/compact-profiles.ts`) and the fitted roofline
 * parameters (`src/catalog/profiles/roofline-fit.json`). Read once per process and cached.
 */
import { existsSync, readFileSync } from "node:fs";
import type { GpuSpec } from "../config/types.js";
import { InputError } from "../errors.js";
import { readKernelCsv } from "../io/kernel-csv.js";
import type { KernelProfiles, RooflineFitSet } from "../sim/estimator/kernel-profiles.js";
import { catalogAssetPath, listGpus, resolveGpu } from "./index.js";

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
      measuredOn: resolveGpu(gpuId),
      gemm: read("gemm_perf.csv", "gemm") as KernelProfiles["gemm"],
      context: read("context_attention_perf.csv", "context") as KernelProfiles["context"],
      generation: read("generation_attention_perf.csv", "generation") as KernelProfiles["generation"],
      allreduce: read("custom_allreduce_perf.csv", "allreduce") as KernelProfiles["allreduce"],
      nccl: read("nccl_perf.csv", "nccl") as KernelProfiles["nccl"],
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

/** What an estimator for one GPU reads: compute tables and communication tables (either may be absent). */
export interface KernelTablesFor {
  profiles?: KernelProfiles;
  commProfiles?: KernelProfiles;
}

const logDist = (a: number, b: number) => Math.abs(Math.log(a / b));

/**
 * The measured tables an estimator for `gpu` uses: its own when bundled; otherwise, for compute
 * kernels, those of the profiled GPU of the same architecture (closest HBM bandwidth among several),
 * whose measured utilization the kernel model applies to `gpu`'s peaks; and for communication, those
 * of the profiled GPU of the same architecture, else the one with the closest NVLink bandwidth
 * (none for a PCIe-only GPU: the fitted model alone).
 */
export function kernelTablesFor(gpu: GpuSpec): KernelTablesFor {
  const own = loadKernelProfiles(gpu.id);
  if (own) return { profiles: own, commProfiles: own };
  const profiled = listGpus().filter((g) => g.id !== gpu.id && loadKernelProfiles(g.id) !== undefined);
  const sameArch = profiled
    .filter((g) => gpu.architecture !== undefined && g.architecture === gpu.architecture)
    .sort((a, b) => logDist(a.hbmTBps, gpu.hbmTBps) - logDist(b.hbmTBps, gpu.hbmTBps) || (a.id < b.id ? -1 : 1));
  const compute = sameArch[0];
  let comm = compute;
  if (!comm && gpu.nvlinkGBps) {
    const link = gpu.nvlinkGBps;
    comm = profiled
      .filter((g) => g.nvlinkGBps)
      .sort((a, b) => logDist(a.nvlinkGBps!, link) - logDist(b.nvlinkGBps!, link) || (a.id < b.id ? -1 : 1))[0];
  }
  return {
    profiles: compute ? loadKernelProfiles(compute.id) : undefined,
    commProfiles: comm ? loadKernelProfiles(comm.id) : undefined,
  };
}
