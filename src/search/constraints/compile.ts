/**
 * Compiles search-space `constraints`: mathjs expressions over the names a configuration exposes
 * (`scope.ts`), e.g. `"tp * replicas <= 32"` or `"gpu != \"l40s\" or tp <= 4"`.
 *
 * Each expression is parsed once with mathjs's expression parser (never `eval`), checked against a
 * whitelist of node types, functions and names, type-checked (numbers, strings, booleans; the whole
 * expression must be a condition), and compiled. String equality (`gpu == "h100_sxm"`) is rewritten
 * to mathjs `equalText`, because mathjs's `==` converts strings to numbers. Nothing else reaches
 * mathjs's namespace: no assignments, no function definitions, no property access, no imports.
 *
 * A compiled constraint whose names are not all known in a scope is *unknown*, and unknown counts
 * as satisfied: a partial configuration is pruned only by constraints it provably breaks.
 */
import {
  FunctionNode, OperatorNode, SymbolNode, parse, type EvalFunction, type MathNode,
} from "mathjs";
import type { SearchSpace } from "../../config/types.js";
import { InputError, type InputIssue } from "../../errors.js";
import { CONSTRAINT_VARIABLES, stringDomains, VAR_NAMES, type ConstraintScope, type ConstraintVariable } from "./scope.js";

/** Numeric functions a constraint may call, with their allowed argument counts. */
const FUNCTIONS: Record<string, [min: number, max: number]> = {
  min: [1, Infinity], max: [1, Infinity], abs: [1, 1], floor: [1, 1], ceil: [1, 1], round: [1, 1],
  sqrt: [1, 1], log: [1, 2], log2: [1, 1], log10: [1, 1], mod: [2, 2], pow: [2, 2],
};

const ARITH = new Set(["add", "subtract", "multiply", "divide", "pow", "mod", "unaryMinus", "unaryPlus"]);
const COMPARE = new Set(["smaller", "smallerEq", "larger", "largerEq"]);
const EQUALITY = new Set(["equal", "unequal"]);
const LOGIC = new Set(["and", "or", "xor", "not"]);

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
