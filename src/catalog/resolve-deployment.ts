/**
 * A validated deployment's engine settings resolved against the bundled catalogs: the defaults an
 * engine would derive for that model and GPU (chunk size by GPU memory, page size), for checks that
 * need them before anything is simulated.
 */
import type { Deployment } from "../config/types.js";
import { resolveEngine, type ResolvedEngine } from "../sim/deployment/resolve.js";
import { resolveGpu, resolveModel } from "./index.js";

/**
 * @param baseDir folder a model given as a config.json path resolves from
 * @param where file and JSON path of the deployment, for error messages
 * @throws InputError for an unknown model or GPU
 */
export function resolveEngineFromCatalog(d: Deployment, baseDir: string, where: { file?: string; path?: string } = {}): ResolvedEngine {
  const p = where.path ?? "";
  const model = resolveModel(d.model, baseDir, { file: where.file, path: `${p}/model` });
  const gpu = resolveGpu(d.gpu, { file: where.file, path: `${p}/gpu` });
  return resolveEngine(d, model, gpu);
}
