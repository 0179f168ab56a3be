/**
 * Whether a search space's constraints can hold together at all, checked before the search starts
 * so that a contradiction is an input error naming the constraints, not an empty result.
 */
import { evictionPolicySchema, prefetchPolicySchema, writePolicySchema } from "../../config/schemas/common.schema.js";
import type { SearchSpace } from "../../config/types.js";
import { InputError } from "../../errors.js";
import { compileConstraints, type CompiledConstraint, type ConstraintSet } from "./compile.js";
import type { PriceTable } from "../../sim/deployment/cost.js";
import { lookupGpu, type ConstraintScope, type ConstraintVariable, type GpuFacts } from "./scope.js";

/** Replica range assumed when a space gives neither `maxReplicas` nor `maxGpus`. */
export const DEFAULT_MAX_REPLICAS = 64;

/** Largest product of axis values enumerated for one group of related constraints. */
const MAX_COMBOS = 1_000_000;

/** One search axis: the variables it sets and its possible values. */
interface Axis {
  name: string;
  vars: readonly ConstraintVariable[];
  values: ConstraintScope[];
  /** False when `values` samples a range too wide to list (then "no value fits" is not proof). */
  exact: boolean;
}

/** Which axes a variable depends on. */
const DEPENDS: Record<ConstraintVariable, readonly string[]> = {
  tp: ["tp"], replicas: ["replicas"], gpuCount: ["tp", "replicas"], maxRunningRequests: ["maxRunningRequests"],
  chunkedPrefillSize: ["chunkedPrefillSize"], l2CapacityGb: ["l2CapacityGb"], l3CapacityGb: ["l3"], gpuMemGb: ["gpu"],
  gpuUsdPerHour: ["gpu"], usdPerHour: ["gpu", "tp", "replicas"], gpu: ["gpu"], weights: ["weights"], kvDtype: ["kvDtype"],
  engine: ["engine"], routerPolicy: ["routerPolicy"], l3Media: ["l3"], evictionPolicy: ["evictionPolicy"],
  prefetchPolicy: ["prefetchPolicy"], writePolicy: ["writePolicy"],
};

/** The values each axis of `space` can take (absent axes take the deployment defaults). */
function axesOf(space: SearchSpace, gpuFacts: (id: string) => GpuFacts | undefined): Map<string, Axis> {
  const list = <K extends ConstraintVariable>(name: string, v: K, values: readonly (ConstraintScope[K])[]): Axis => ({
    name, vars: [v], values: values.map((x) => ({ [v]: x }) as ConstraintScope), exact: true,
  });
  const maxReplicas = space.maxReplicas ?? (space.maxGpus !== undefined ? Math.max(1, Math.floor(space.maxGpus / Math.min(...space.tp))) : DEFAULT_MAX_REPLICAS);
  const axes: Axis[] = [
    {
      name: "gpu", vars: ["gpu", "gpuMemGb", "gpuUsdPerHour"], exact: true,
      values: space.gpus.map((g) => {
        const f = gpuFacts(g);
        return f ? { gpu: g, gpuMemGb: f.hbmGb, gpuUsdPerHour: f.usdPerHour } : { gpu: g };
      }),
    },
    list("tp", "tp", space.tp),
    list("replicas", "replicas", Array.from({ length: maxReplicas }, (_, i) => i + 1)),
    list("weights", "weights", space.weights ?? ["bf16"]),
    list("kvDtype", "kvDtype", space.kvDtype ?? ["bf16"]),
    list("engine", "engine", space.engines ?? ["sglang"]),
    list("chunkedPrefillSize", "chunkedPrefillSize", space.chunkedPrefillSize ?? [undefined]),
    list("routerPolicy", "routerPolicy", space.routerPolicies ?? ["cache_aware", "power_of_two", "bucket", "round_robin"]),
    // A tier can always be left out (stage 3 compares against no tier), so 0 is always possible.
    list("l2CapacityGb", "l2CapacityGb", [0, ...(space.l2CapacityGb ?? []).filter((c) => c > 0)]),
    {
      name: "l3", vars: ["l3Media", "l3CapacityGb"], exact: true,
      values: [
        { l3Media: "none", l3CapacityGb: 0 },
        ...(space.l3?.media ?? []).flatMap((m) => (space.l3?.capacityGb ?? []).filter((c) => c > 0).map((c) => ({ l3Media: m, l3CapacityGb: c }))),
      ],
    },
    list("evictionPolicy", "evictionPolicy", space.evictionPolicies ?? evictionPolicySchema.enum),
    list("prefetchPolicy", "prefetchPolicy", space.prefetchPolicies ?? prefetchPolicySchema.enum),
    list("writePolicy", "writePolicy", space.writePolicies ?? writePolicySchema.enum),
  ];
  const mrr = space.maxRunningRequests;
  if (!mrr) {
    axes.push(list("maxRunningRequests", "maxRunningRequests", [undefined]));
  } else {
    const [lo, hi] = mrr;
    if (hi - lo < 4096) {
      axes.push(list("maxRunningRequests", "maxRunningRequests", Array.from({ length: hi - lo + 1 }, (_, i) => lo + i)));
    } else {
      // Too wide to list: the ends, the powers of two between them and a geometric ladder.
      const vals = new Set<number>([lo, hi]);
      for (let p = 1; p <= hi; p *= 2) if (p >= lo) vals.add(p);
      for (let v = lo; v <= hi; v = Math.ceil(v * 1.05) + 1) vals.add(v);
      axes.push({ ...list("maxRunningRequests", "maxRunningRequests", [...vals].sort((a, b) => a - b)), exact: false });
    }
  }
  return new Map(axes.map((a) => [a.name, a]));
}

/** Result of a satisfiability check over one group of constraints. */
type GroupOutcome = "sat" | "unsat" | "unknown";

function checkGroup(cons: readonly CompiledConstraint[], axisNames: readonly string[], axes: Map<string, Axis>, maxGpus?: number): GroupOutcome {
  const ax = axisNames.map((n) => axes.get(n)!);
  let combos = 1;
  for (const a of ax) combos *= a.values.length;
  if (combos > MAX_COMBOS || combos === 0) return "unknown";
  const gpuBound = maxGpus !== undefined && axisNames.includes("tp") && axisNames.includes("replicas");
  const idx = new Array<number>(ax.length).fill(0);
  for (let k = 0; k < combos; k++) {
    const scope: ConstraintScope = {};
    for (let i = 0; i < ax.length; i++) Object.assign(scope, ax[i].values[idx[i]]);
    if (scope.tp !== undefined && scope.replicas !== undefined) scope.gpuCount = scope.tp * scope.replicas;
    if (scope.gpuCount !== undefined && scope.gpuUsdPerHour !== undefined) scope.usdPerHour = scope.gpuCount * scope.gpuUsdPerHour;
    const withinGpus = !gpuBound || scope.gpuCount! <= maxGpus!;
    if (withinGpus && cons.every((c) => c.test(scope) !== false)) return "sat";
    for (let i = ax.length - 1; i >= 0; i--) {
      if (++idx[i] < ax[i].values.length) break;
      idx[i] = 0;
    }
  }
  return ax.every((a) => a.exact) ? "unsat" : "unknown";
}

function axesFor(cons: readonly CompiledConstraint[], maxGpus?: number): string[] {
  const s = new Set<string>();
  for (const c of cons) for (const v of c.variables) for (const a of DEPENDS[v]) s.add(a);
  // With a GPU budget, tp and replicas limit each other, so check them together.
  if (maxGpus !== undefined && (s.has("tp") || s.has("replicas"))) {
    s.add("tp");
    s.add("replicas");
  }
  return [...s].sort();
}

/** Why a search space's constraints cannot all hold. */
export interface Contradiction {
  /** Indices (into `constraints`) of a smallest-by-deletion set that cannot hold together. */
  indices: number[];
  message: string;
}

/**
 * Whether no configuration of `space` satisfies all its constraints, checked by enumerating the
 * axes the constraints read (replicas 1..maxReplicas, or up to maxGpus/tp; tiers may be absent).
 * Constraints that share no axis are checked separately, so the product stays small. Returns the
 * conflicting constraints (an irreducible subset, found by deletion) or null when a configuration
 * exists or the check cannot prove otherwise (a group too large to enumerate).
 */
export function contradictory(
  space: SearchSpace,
  opts: { file?: string; gpuFacts: (id: string) => GpuFacts | undefined; constraints?: ConstraintSet },
): Contradiction | null {
  const set = opts.constraints ?? compileConstraints(space.constraints, { file: opts.file, space });
  if (set.size === 0) return null;
  const axes = axesOf(space, opts.gpuFacts);
  const maxGpus = space.maxGpus;

  // Group constraints that share an axis (union-find over axis names).
  const parent = set.constraints.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const owner = new Map<string, number>();
  set.constraints.forEach((c, i) => {
    for (const a of axesFor([c], maxGpus)) {
      const j = owner.get(a);
      if (j === undefined) owner.set(a, i);
      else parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, CompiledConstraint[]>();
  set.constraints.forEach((c, i) => {
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), c]);
  });

  for (const group of [...groups.values()].sort((a, b) => a[0].index - b[0].index)) {
    if (checkGroup(group, axesFor(group, maxGpus), axes, maxGpus) !== "unsat") continue;
    // Deletion filter: drop each constraint that is not needed for the conflict.
    let core = group;
    for (const c of group) {
      const without = core.filter((x) => x !== c);
      if (without.length > 0 && checkGroup(without, axesFor(without, maxGpus), axes, maxGpus) === "unsat") core = without;
    }
    const indices = core.map((c) => c.index);
    const listText = core.map((c) => `${c.index} ("${c.source}")`).join(", ");
    const bound = maxGpus !== undefined ? ` with maxGpus ${maxGpus}` : "";
    const message = core.length === 1
      ? `no configuration of this search space satisfies constraint ${listText}${bound}`
      : `no configuration of this search space satisfies constraints ${listText} together${bound}`;
    return { indices, message };
  }
  return null;
}

/**
 * Throws an InputError naming `file` and `/constraints` when the constraints contradict each other
 * (GPU prices from `prices`, the run's price list).
 */
export function assertSatisfiable(space: SearchSpace, file: string | undefined, prices: PriceTable): ConstraintSet {
  const set = compileConstraints(space.constraints, { file, space });
  const c = contradictory(space, { file, constraints: set, gpuFacts: (id) => lookupGpu(id, prices) });
  if (c) {
    const path = c.indices.length === 1 ? `/constraints/${c.indices[0]}` : "/constraints";
    throw new InputError({ file, path, message: c.message });
  }
  return set;
}
