/**
 * Search-space `constraints` (SPEC section 3): mathjs expressions over the names a configuration
 * exposes, e.g. `"tp * replicas <= 32"` or `"gpu != \"l40s\" or tp <= 4"`.
 *
 * Each expression is parsed once with mathjs's expression parser (never `eval`), checked against a
 * whitelist of node types, functions and names, type-checked (numbers, strings, booleans; the whole
 * expression must be a condition), and compiled. String equality (`gpu == "h100_sxm"`) is rewritten
 * to mathjs `equalText`, because mathjs's `==` converts strings to numbers. Nothing else reaches
 * mathjs's namespace: no assignments, no function definitions, no property access, no imports.
 *
 * A name whose value is not known yet (stage 1 has no replica count; an engine default left
 * unresolved) makes the constraints that use it *unknown*, and unknown counts as satisfied: a
 * partial configuration is pruned only by constraints it provably breaks.
 */
import {
  FunctionNode, OperatorNode, SymbolNode, parse, type EvalFunction, type MathNode,
} from "mathjs";
import { resolveGpu } from "../catalog/index.js";
import {
  engineKindSchema, evictionPolicySchema, kvDtypeSchema, prefetchPolicySchema, routerPolicySchema,
  weightDtypeSchema, writePolicySchema,
} from "../config/schemas/common.schema.js";
import type { Deployment, GpuSpec, SearchSpace } from "../config/types.js";
import { InputError, type InputIssue } from "../errors.js";

type VarType = "number" | "string";

/** Names a constraint may use, their type and meaning. */
export const CONSTRAINT_VARIABLES = {
  tp: { type: "number", doc: "tensor parallelism (GPUs per replica)" },
  replicas: { type: "number", doc: "replica count" },
  gpuCount: { type: "number", doc: "GPUs in the deployment: tp * replicas" },
  maxRunningRequests: { type: "number", doc: "engine batch limit (SGLang max_running_requests, vLLM max_num_seqs)" },
  chunkedPrefillSize: { type: "number", doc: "prefill chunk / step token budget" },
  l2CapacityGb: { type: "number", doc: "host-memory KV tier per replica, GB (0 = no L2)" },
  l3CapacityGb: { type: "number", doc: "storage KV tier, GB (0 = no L3)" },
  gpuMemGb: { type: "number", doc: "HBM per GPU, GB (catalog)" },
  gpuUsdPerHour: { type: "number", doc: "price per GPU-hour, USD (catalog)" },
  usdPerHour: { type: "number", doc: "GPU cost of the deployment per hour, USD: gpuCount * gpuUsdPerHour" },
  gpu: { type: "string", doc: "GPU id, e.g. \"h100_sxm\"" },
  weights: { type: "string", doc: "weight dtype: \"bf16\", \"fp8\", \"int4\"" },
  kvDtype: { type: "string", doc: "KV cache dtype: \"bf16\", \"fp8\"" },
  engine: { type: "string", doc: "\"sglang\" or \"vllm\"" },
  routerPolicy: { type: "string", doc: "router policy, e.g. \"cache_aware\"" },
  l3Media: { type: "string", doc: "L3 medium id (\"none\" = no L3)" },
  evictionPolicy: { type: "string", doc: "KV eviction policy: \"lru\", \"lfu\"" },
  prefetchPolicy: { type: "string", doc: "L3 prefetch stop policy" },
  writePolicy: { type: "string", doc: "KV write policy" },
} as const satisfies Record<string, { type: VarType; doc: string }>;

export type ConstraintVariable = keyof typeof CONSTRAINT_VARIABLES;

/** Values of one configuration; `undefined` = not known (yet). */
export type ConstraintScope = {
  [K in ConstraintVariable]?: (typeof CONSTRAINT_VARIABLES)[K]["type"] extends "number" ? number : string;
};

const VAR_NAMES = Object.keys(CONSTRAINT_VARIABLES) as ConstraintVariable[];

/** Numeric functions a constraint may call, with their allowed argument counts. */
const FUNCTIONS: Record<string, [min: number, max: number]> = {
  min: [1, Infinity], max: [1, Infinity], abs: [1, 1], floor: [1, 1], ceil: [1, 1], round: [1, 1],
  sqrt: [1, 1], log: [1, 2], log2: [1, 1], log10: [1, 1], mod: [2, 2], pow: [2, 2],
};

const ARITH = new Set(["add", "subtract", "multiply", "divide", "pow", "mod", "unaryMinus", "unaryPlus"]);
const COMPARE = new Set(["smaller", "smallerEq", "larger", "largerEq"]);
const EQUALITY = new Set(["equal", "unequal"]);
const LOGIC = new Set(["and", "or", "xor", "not"]);

/** Values a string name can take, for catching typos like `gpu == "h100"`. */
function stringDomains(space?: SearchSpace): Partial<Record<ConstraintVariable, readonly string[]>> {
  const d: Partial<Record<ConstraintVariable, readonly string[]>> = {
    weights: weightDtypeSchema.enum,
    kvDtype: kvDtypeSchema.enum,
    engine: engineKindSchema.enum,
    routerPolicy: routerPolicySchema.enum,
    evictionPolicy: evictionPolicySchema.enum,
    prefetchPolicy: prefetchPolicySchema.enum,
    writePolicy: writePolicySchema.enum,
  };
  if (space) {
    d.gpu = space.gpus;
    d.l3Media = ["none", ...(space.l3?.media ?? [])];
  }
  return d;
}

type ExprType = "number" | "string" | "boolean";

class ConstraintSyntaxError extends Error {}

function fail(msg: string): never {
  throw new ConstraintSyntaxError(msg);
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

function unknownNameMessage(name: string): string {
  const lower = name.toLowerCase();
  const close = VAR_NAMES.filter((v) => editDistance(v.toLowerCase(), lower) <= 2 || v.toLowerCase().startsWith(lower));
  const hint = name === "gpus" ? ' (did you mean gpuCount, or gpu == "<id>"?)' : close.length ? ` (did you mean ${close.join(" or ")}?)` : "";
  return `unknown name "${name}"${hint}; known names: ${VAR_NAMES.join(", ")}`;
}

/**
 * Checks a parsed expression: allowed node types, known names and functions, consistent types.
 * Returns the expression's type and collects the names and string literals it compares.
 */
function typeOf(node: MathNode, names: Set<ConstraintVariable>, literals: Array<[ConstraintVariable, string]>): ExprType {
  switch (node.type) {
    case "ConstantNode": {
      const v = (node as unknown as { value: unknown }).value;
      if (typeof v === "number") return "number";
      if (typeof v === "string") return "string";
      if (typeof v === "boolean") return "boolean";
      return fail(`unsupported constant ${node.toString()}`);
    }
    case "SymbolNode": {
      const name = (node as unknown as { name: string }).name;
      if (!(name in CONSTRAINT_VARIABLES)) fail(unknownNameMessage(name));
      names.add(name as ConstraintVariable);
      return CONSTRAINT_VARIABLES[name as ConstraintVariable].type;
    }
    case "ParenthesisNode":
      return typeOf((node as unknown as { content: MathNode }).content, names, literals);
    case "ConditionalNode": {
      const c = node as unknown as { condition: MathNode; trueExpr: MathNode; falseExpr: MathNode };
      if (typeOf(c.condition, names, literals) !== "boolean") fail(`the condition of "${node.toString()}" must be a comparison`);
      const a = typeOf(c.trueExpr, names, literals);
      const b = typeOf(c.falseExpr, names, literals);
      if (a !== b) fail(`both branches of "${node.toString()}" must have the same type (${a} vs ${b})`);
      return a;
    }
    case "FunctionNode": {
      const f = node as unknown as { fn: MathNode; args: MathNode[] };
      const fname = f.fn.type === "SymbolNode" ? (f.fn as unknown as { name: string }).name : undefined;
      const arity = fname !== undefined ? FUNCTIONS[fname] : undefined;
      if (fname === undefined || arity === undefined) {
        fail(`function ${fname ?? f.fn.toString()}() is not allowed; allowed: ${Object.keys(FUNCTIONS).join(", ")}`);
      }
      if (f.args.length < arity[0] || f.args.length > arity[1]) fail(`${fname}() takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]}+`} argument(s)`);
      for (const a of f.args) if (typeOf(a, names, literals) !== "number") fail(`${fname}() takes numbers, got "${a.toString()}"`);
      return "number";
    }
    case "RelationalNode": {
      const r = node as unknown as { conditionals: string[]; params: MathNode[] };
      for (const c of r.conditionals) if (!COMPARE.has(c) && !EQUALITY.has(c)) fail(`unsupported comparison in "${node.toString()}"`);
      for (const p of r.params) if (typeOf(p, names, literals) !== "number") fail(`chained comparisons take numbers: "${node.toString()}"`);
      return "boolean";
    }
    case "OperatorNode": {
      const o = node as unknown as { fn: string; op: string; args: MathNode[] };
      const types = o.args.map((a) => typeOf(a, names, literals));
      if (ARITH.has(o.fn)) {
        if (types.some((t) => t !== "number")) fail(`"${o.op}" takes numbers: "${node.toString()}"`);
        return "number";
      }
      if (COMPARE.has(o.fn)) {
        if (types.some((t) => t !== "number")) fail(`"${o.op}" compares numbers; use == or != for names like gpu: "${node.toString()}"`);
        return "boolean";
      }
      if (EQUALITY.has(o.fn)) {
        if (types[0] !== types[1]) fail(`"${node.toString()}" compares a ${types[0]} with a ${types[1]}`);
        if (types[0] === "string") {
          const [a, b] = o.args;
          const sym = a.type === "SymbolNode" ? a : b.type === "SymbolNode" ? b : undefined;
          const lit = a.type === "ConstantNode" ? a : b.type === "ConstantNode" ? b : undefined;
          if (sym && lit) literals.push([(sym as unknown as { name: ConstraintVariable }).name, (lit as unknown as { value: string }).value]);
        }
        return "boolean";
      }
      if (LOGIC.has(o.fn)) {
        if (types.some((t) => t !== "boolean")) fail(`"${o.op}" combines conditions: "${node.toString()}"`);
        return "boolean";
      }
      return fail(`operator "${o.op}" is not allowed`);
    }
    default:
      return fail(`${node.type.replace(/Node$/, "").toLowerCase()} expressions are not allowed ("${node.toString()}")`);
  }
}

/** Rewrites string (and boolean) `==`/`!=` so mathjs compares text instead of converting to numbers. */
function rewriteStringEquality(root: MathNode): MathNode {
  const isStringy = (n: MathNode): boolean =>
    (n.type === "ConstantNode" && typeof (n as unknown as { value: unknown }).value === "string") ||
    (n.type === "SymbolNode" && CONSTRAINT_VARIABLES[(n as unknown as { name: ConstraintVariable }).name]?.type === "string") ||
    (n.type === "ParenthesisNode" && isStringy((n as unknown as { content: MathNode }).content));
  return root.transform((node) => {
    if (node.type !== "OperatorNode") return node;
    const o = node as unknown as { fn: string; args: MathNode[] };
    if (!EQUALITY.has(o.fn) || !isStringy(o.args[0])) return node;
    const eq = new FunctionNode(new SymbolNode("equalText"), [o.args[0], o.args[1]]);
    return o.fn === "equal" ? eq : new OperatorNode("not", "not", [eq]);
  });
}

/** One compiled constraint. */
export interface CompiledConstraint {
  /** Position in the `constraints` array. */
  index: number;
  source: string;
  /** Names it reads. */
  variables: readonly ConstraintVariable[];
  /** True/false, or undefined when a name it reads is unknown in `scope`. */
  test(scope: ConstraintScope): boolean | undefined;
}

/** The compiled `constraints` of one search space. */
export class ConstraintSet {
  constructor(readonly constraints: readonly CompiledConstraint[]) {}

  /** Indices of the constraints `scope` breaks (unknown counts as satisfied). */
  violated(scope: ConstraintScope): number[] {
    const out: number[] = [];
    for (const c of this.constraints) if (c.test(scope) === false) out.push(c.index);
    return out;
  }

  /** True unless `scope` provably breaks a constraint. */
  allows(scope: ConstraintScope): boolean {
    for (const c of this.constraints) if (c.test(scope) === false) return false;
    return true;
  }

  get size(): number {
    return this.constraints.length;
  }
}

export interface CompileOptions {
  /** File named in errors. */
  file?: string;
  /** The space the constraints belong to: enables checks of string values such as GPU ids. */
  space?: SearchSpace;
  /** JSON pointer of the array in the file. @default "/constraints" */
  path?: string;
}

/**
 * Parses, checks and compiles constraint expressions. Every problem in every expression is
 * reported in one InputError naming the file and `/constraints/<i>`.
 */
export function compileConstraints(exprs: readonly string[] | undefined, opts: CompileOptions = {}): ConstraintSet {
  const base = opts.path ?? "/constraints";
  const domains = stringDomains(opts.space);
  const issues: InputIssue[] = [];
  const compiled: CompiledConstraint[] = [];
  (exprs ?? []).forEach((source, index) => {
    const where = { file: opts.file, path: `${base}/${index}` };
    let node: MathNode;
    try {
      node = parse(source);
    } catch (e) {
      issues.push({ ...where, message: `cannot parse "${source}": ${(e as Error).message}` });
      return;
    }
    const names = new Set<ConstraintVariable>();
    const literals: Array<[ConstraintVariable, string]> = [];
    let t: ExprType;
    try {
      t = typeOf(node, names, literals);
    } catch (e) {
      if (!(e instanceof ConstraintSyntaxError)) throw e;
      issues.push({ ...where, message: `"${source}": ${e.message}` });
      return;
    }
    if (t !== "boolean") {
      issues.push({ ...where, message: `"${source}" is a ${t}, expected a condition such as "tp * replicas <= 32"` });
      return;
    }
    for (const [name, value] of literals) {
      const dom = domains[name];
      if (dom && !dom.includes(value)) {
        issues.push({ ...where, message: `"${source}": "${value}" is not a possible ${name}; expected one of ${dom.map((v) => `"${v}"`).join(", ")}` });
      }
    }
    const fn: EvalFunction = rewriteStringEquality(node).compile();
    const variables = [...names].sort();
    compiled.push({
      index,
      source,
      variables,
      test(scope: ConstraintScope): boolean | undefined {
        for (const v of variables) if (scope[v] === undefined) return undefined;
        const r: unknown = fn.evaluate({ ...scope });
        if (typeof r !== "boolean") {
          throw new InputError({ ...where, message: `"${source}" evaluated to ${String(r)}, expected true or false` });
        }
        return r;
      },
    });
  });
  if (issues.length > 0) throw new InputError(issues);
  return new ConstraintSet(compiled);
}

/** The catalog fields a scope needs from a GPU. */
export type GpuFacts = Pick<GpuSpec, "hbmGb" | "usdPerHour">;

function lookupGpu(id: string): GpuFacts | undefined {
  try {
    return resolveGpu(id);
  } catch (e) {
    if (e instanceof InputError) return undefined;
    throw e;
  }
}

/**
 * The names a deployment exposes to constraints. `gpu` defaults to the catalog entry; an
 * unknown GPU leaves `gpuMemGb`, `gpuUsdPerHour` and `usdPerHour` unknown.
 */
export function constraintScope(d: Deployment, gpu: GpuFacts | undefined = lookupGpu(d.gpu)): ConstraintScope {
  const s: ConstraintScope = {
    tp: d.tp,
    replicas: d.replicas,
    gpuCount: d.tp * d.replicas,
    maxRunningRequests: d.engine.maxRunningRequests,
    chunkedPrefillSize: d.engine.chunkedPrefillSize,
    l2CapacityGb: d.kvCache.l2?.capacityGb ?? 0,
    l3CapacityGb: d.kvCache.l3?.capacityGb ?? 0,
    gpu: d.gpu,
    weights: d.weights,
    kvDtype: d.kvDtype,
    engine: d.engine.kind,
    routerPolicy: d.router.policy,
    l3Media: d.kvCache.l3?.media ?? "none",
    evictionPolicy: d.kvCache.evictionPolicy,
    prefetchPolicy: d.kvCache.prefetchPolicy,
    writePolicy: d.kvCache.writePolicy,
  };
  return withDerived(s, gpu);
}

function withDerived(s: ConstraintScope, gpu: GpuFacts | undefined): ConstraintScope {
  if (s.tp !== undefined && s.replicas !== undefined) s.gpuCount = s.tp * s.replicas;
  if (gpu) {
    s.gpuMemGb = gpu.hbmGb;
    s.gpuUsdPerHour = gpu.usdPerHour;
    if (s.gpuCount !== undefined) s.usdPerHour = s.gpuCount * gpu.usdPerHour;
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Contradiction check

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
  opts: { file?: string; gpuFacts?: (id: string) => GpuFacts | undefined; constraints?: ConstraintSet } = {},
): Contradiction | null {
  const set = opts.constraints ?? compileConstraints(space.constraints, { file: opts.file, space });
  if (set.size === 0) return null;
  const axes = axesOf(space, opts.gpuFacts ?? lookupGpu);
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

/** Throws an InputError naming `file` and `/constraints` when the constraints contradict each other. */
export function assertSatisfiable(space: SearchSpace, file?: string): ConstraintSet {
  const set = compileConstraints(space.constraints, { file, space });
  const c = contradictory(space, { file, constraints: set });
  if (c) {
    const path = c.indices.length === 1 ? `/constraints/${c.indices[0]}` : "/constraints";
    throw new InputError({ file, path, message: c.message });
  }
  return set;
}
