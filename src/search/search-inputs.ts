/**
 * The search's inputs, loaded and checked before anything is simulated: the SLO spec, the search
 * space (the spec's, `--space`, or the bundled default) with its constraints, the model, the
 * workload and the targets. Every problem is an InputError naming the file.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { resolveModel } from "../catalog/index.js";
import type { ResolvedPrices } from "../catalog/prices.js";
import type { ModelSpec, SearchSpace, SloSpec, SyntheticWorkload, TraceWorkload, WorkloadSpec } from "../config/types.js";
import { InputError } from "../errors.js";
import { loadSearchSpace, loadSloSpec } from "../inputs/load.js";
import type { SloTargets } from "../results/point.js";
import type { ConstraintSet } from "./constraints/compile.js";
import { assertSatisfiable } from "./constraints/satisfiable.js";
import { resolveSpace, type ResolvedSpace } from "./space.js";

export interface SearchInputs {
  spec: SloSpec;
  /** The folder of the SLO spec (relative paths in it resolve from there). */
  specDir: string;
  spaceFile: string;
  /** The search space as written (hashed into the run id) and resolved (defaults filled in). */
  rawSpace: SearchSpace;
  space: ResolvedSpace;
  constraints: ConstraintSet;
  model: ModelSpec;
  /** Open-loop traffic: the search scales its rate. */
  workload: SyntheticWorkload | TraceWorkload;
  targets: SloTargets;
  /** The run's price list. */
  prices: ResolvedPrices;
}

/** The bundled default search space. */
export function defaultSpacePath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const p of [resolve(here, "../../search-spaces/default.json"), resolve(here, "../../../search-spaces/default.json")]) {
    if (existsSync(p)) return p;
  }
  return resolve("search-spaces/default.json");
}

/** The SLO targets of a spec. */
export function targetsOf(spec: SloSpec): SloTargets {
  const t = spec.targets;
  return {
    ttftMs: { ...t.ttftMs },
    tpotMs: { ...t.tpotMs },
    ...(t.e2eMs ? { e2eMs: { ...t.e2eMs } } : {}),
    ...(t.minThroughputRps !== undefined ? { minThroughputRps: t.minThroughputRps } : {}),
  };
}

/**
 * Loads and checks the SLO spec `sloFile` and its search space (`spaceFile` overrides the spec's);
 * costs and cost constraints use `prices`.
 */
export function loadSearchInputs(
  sloFile: string, spaceFileOverride: string | undefined, prices: ResolvedPrices, opts: { gpus?: string[] } = {},
): SearchInputs {
  const spec = loadSloSpec(sloFile);
  const specDir = dirname(sloFile);
  const spaceFile = spaceFileOverride ?? (spec.searchSpace ? resolve(specDir, spec.searchSpace) : defaultSpacePath());
  const loaded = loadSearchSpace(spaceFile);
  // compare-gpus searches one GPU at a time: the space with its GPU list replaced.
  const rawSpace = opts.gpus ? { ...loaded, gpus: [...opts.gpus] } : loaded;
  const constraints = assertSatisfiable(rawSpace, spaceFile, prices);
  const space = resolveSpace(rawSpace);
  const model = resolveModel(spec.model, specDir, { file: sloFile, path: "/model" });
  const workload = spec.workload as WorkloadSpec;
  if (workload.kind === "closed-loop") {
    throw new InputError({ file: sloFile, path: "/workload/kind", message: "the search needs open-loop traffic to scale: expected a synthetic or trace workload" });
  }
  return { spec, specDir, spaceFile, rawSpace, space, constraints, model, workload, targets: targetsOf(spec), prices };
}

/** One line describing the workload for the reports. */
export function describeWorkload(w: WorkloadSpec, requests: number, rps: number): string {
  if (w.kind === "trace") return `trace ${w.path}: ${requests} requests at ${rps.toFixed(2)} req/s`;
  if (w.kind === "synthetic") {
    const sessions = w.prefix?.sessions ? `, sessions of ~${w.prefix.sessions.turnsMean} turns` : "";
    return `synthetic ${w.arrival.process} arrivals, ${requests} requests at ${w.arrival.ratePerS} req/s${sessions}`;
  }
  return `closed loop of ${w.concurrency} clients`;
}
