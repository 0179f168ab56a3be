/**
 * The I/O edge of workloads: reads trace files and empirical length files (paths relative to the
 * file that named them) and hands plain typed arrays to the pure generators in `src/sim/workload`.
 */
import { resolve } from "node:path";
import type { LengthDist, WorkloadSpec } from "../config/types.js";
import { generateClosedLoop } from "../sim/workload/closed-loop.js";
import type { RequestTable } from "../sim/workload/request-table.js";
import { generateSynthetic, type EmpiricalLengths } from "../sim/workload/synthetic.js";
import { readTrace } from "./traces/read-trace.js";

/**
 * The requests of a workload spec.
 * @param baseDir directory that relative paths in the spec resolve against (the spec file's)
 * @param seed master seed (synthetic and closed-loop workloads)
 */
export async function buildRequestTable(spec: WorkloadSpec, baseDir: string, seed: number): Promise<RequestTable> {
  if (spec.kind === "trace") {
    const r = await readTrace(resolve(baseDir, spec.path), { format: spec.format ?? "auto", timeScale: spec.timeScale ?? 1, limit: spec.limit ?? 0 });
    return r.table;
  }
  const empirical = await loadEmpirical(spec.inputTokens, spec.outputTokens, baseDir);
  return spec.kind === "synthetic" ? generateSynthetic(spec, seed, empirical) : generateClosedLoop(spec, seed, empirical);
}

/** Lengths of the `empirical` trace files named by the two distributions (each file read once). */
async function loadEmpirical(input: LengthDist, output: LengthDist, baseDir: string): Promise<EmpiricalLengths> {
  const out: EmpiricalLengths = {};
  const cache = new Map<string, RequestTable>();
  const load = async (file: string): Promise<RequestTable> => {
    const p = resolve(baseDir, file);
    let t = cache.get(p);
    if (!t) {
      t = (await readTrace(p)).table;
      cache.set(p, t);
    }
    return t;
  };
  if (input.empirical !== undefined) out.inputTokens = (await load(input.empirical)).inputTokens;
  if (output.empirical !== undefined) out.outputTokens = (await load(output.empirical)).outputTokens;
  return out;
}
