/**
 * The edge between inputs and the pure simulator: resolves a deployment against the catalogs, builds
 * its estimator (with the bundled kernel profiles) and router, and runs a simulation.
 */
import { dirname } from "node:path";
import { resolveCheckpoint, resolveGpu, resolveKvMedia, resolveModel } from "../catalog/index.js";
import { kernelTablesFor, loadRooflineFits } from "../catalog/profiles.js";
import type { Deployment } from "../config/types.js";
import { InputError } from "../errors.js";
import { simulate, type SimulationWatch } from "../sim/cluster/simulate.js";
import type { SimulationResult } from "../sim/cluster/summary.js";
import type { PriceTable } from "../sim/deployment/cost.js";
import { resolveDeployment, type ResolvedDeployment } from "../sim/deployment/resolve.js";
import { createEstimator, type EstimatorOptions } from "../sim/estimator/estimator.js";
import type { StepEstimator } from "../sim/estimator/types.js";
import { rngStream } from "../sim/rng.js";
import { createRouter, resolveRouterConfig } from "../sim/router/create-router.js";
import type { RequestTable } from "../sim/workload/request-table.js";

/**
 * Resolves a validated deployment, priced with `opts.prices`. @param file the deployment's file, for
 * error messages and for resolving a model given as a path. @throws InputError if the model does not
 * fit the GPU.
 */
export function prepareDeployment(d: Deployment, file: string | undefined, opts: { allowNoFit?: boolean; prices: PriceTable }): ResolvedDeployment {
  const base = file ? dirname(file) : process.cwd();
  const model = resolveModel(d.model, base, { file, path: "/model" });
  const gpu = resolveGpu(d.gpu, { file, path: "/gpu" });
  // A quantized checkpoint's name carries its weights (bf16 is only the schema's default).
  const ckpt = resolveCheckpoint(d.model);
  if (ckpt && d.weights === "bf16") d = { ...d, weights: ckpt.weights };
  const dep = resolveDeployment(d, model, gpu, (id) => resolveKvMedia(id, { file, path: "/kvCache" }), opts.prices);
  if (ckpt) dep.fp8Gemm = ckpt.fp8Gemm;
  if (!dep.memory.fits && !opts.allowNoFit) {
    throw new InputError({ file, path: "/tp", message: `the model does not fit: ${dep.memory.reason}` });
  }
  return dep;
}

/** The batch latency estimator for a resolved deployment. */
export function estimatorFor(dep: ResolvedDeployment, backend: "auto" | "table" | "roofline" = "auto"): StepEstimator {
  return createEstimator(estimatorOptionsOf(dep, backend));
}

/** The estimator options of a resolved deployment (its engine release's graph and CPU behaviour included). */
export function estimatorOptionsOf(dep: ResolvedDeployment, backend: "auto" | "table" | "roofline" = "auto"): EstimatorOptions {
  const d = dep.deployment;
  return {
    model: dep.model,
    gpu: dep.gpu,
    tp: dep.tp,
    weights: d.weights,
    kvDtype: d.kvDtype,
    engine: dep.engine.kind,
    fp8Gemm: dep.fp8Gemm,
    cudaGraphMaxBs: dep.engine.cudaGraphMaxBs,
    piecewiseDecodeGraph: dep.engine.piecewiseDecodeGraph,
    cpuOverlap: dep.engine.cpuOverlap,
    backend,
    ...kernelTablesFor(dep.gpu),
    fits: loadRooflineFits(),
  };
}

/** Runs one simulation of `dep` on `table`. The estimator may be shared between runs of one deployment shape. */
export function runSimulation(
  dep: ResolvedDeployment,
  table: RequestTable,
  seed: number,
  opts: { estimator?: StepEstimator; checkInvariantsEvery?: number; watch?: SimulationWatch } = {},
): SimulationResult {
  const routerCfg = resolveRouterConfig(dep.deployment.router);
  const router = dep.replicas > 1 ? createRouter(routerCfg, dep.replicas, rngStream(seed, "router")) : undefined;
  return simulate({
    dep,
    table,
    estimator: opts.estimator ?? estimatorFor(dep),
    router,
    loadPollIntervalS: routerCfg.loadPollIntervalS,
    checkInvariantsEvery: opts.checkInvariantsEvery,
    watch: opts.watch,
  });
}
