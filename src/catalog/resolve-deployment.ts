/**
 * A validated deployment resolved against the bundled catalogs (model, GPU, KV media): engine
 * defaults filled in and the memory plan done, for checks that need the numbers an engine would
 * derive (chunk size, KV pool) before anything is simulated.
 */
import type { Deployment } from "../config/types.js";
import { resolveDeployment, type ResolvedDeployment } from "../sim/deployment/resolve.js";
import { resolveGpu, resolveKvMedia, resolveModel } from "./index.js";
import { defaultPrices } from "./prices.js";

/**
 * @param baseDir folder a model given as a config.json path resolves from
 * @param where file and JSON path of the deployment, for error messages
 * @throws InputError for unknown model, GPU or media
 */
export function resolveFromCatalog(d: Deployment, baseDir: string, where: { file?: string; path?: string } = {}): ResolvedDeployment {
  const p = where.path ?? "";
  const model = resolveModel(d.model, baseDir, { file: where.file, path: `${p}/model` });
  const gpu = resolveGpu(d.gpu, { file: where.file, path: `${p}/gpu` });
  // Priced with the default list: the checks that use this read the engine and memory plan, not the cost.
  return resolveDeployment(d, model, gpu, (id) => resolveKvMedia(id, { file: where.file, path: `${p}/kvCache` }), defaultPrices());
}
