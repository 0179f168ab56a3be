/**
 * The I/O edge of workloads: reads trace files and empirical length files (paths relative to the
 * file that named them) and hands plain typed arrays to the pure generators in `src/sim/workload`.
 */
import { resolve } from "node:path";
import type { LengthDist, WorkloadSpec } from "../config/types.js";
import { InputError } from "../errors.js";
import { generateClosedLoop } from "../sim/workload/closed-loop.js";
import type { RequestTable } from "../sim/workload/request-table.js";
import { generateSynthetic, type EmpiricalLengths } from "../sim/workload/synthetic.js";
import { readTrace } from "./traces/read-trace.js";

/** The model's context window a workload's requests must fit, and where to point when they do not. */
export interface ContextLimit {
  /** Largest prompt + answer, tokens (the model's `contextLengthTokens`). */
  contextLengthTokens: number;
  modelId: string;
  /** The file holding the workload spec and the JSON path of the spec in it ("" or "/workload"). */
  file: string;
  path?: string;
}

/**
 * The requests of a workload spec.
 * @param baseDir directory that relative paths in the spec resolve against (the spec file's)
 * @param seed master seed (synthetic and closed-loop workloads)
 * @param context when given, every request (prompt + answer) must fit this context window
 * @throws InputError when a request does not fit `context`
 */
export async function buildRequestTable(spec: WorkloadSpec, baseDir: string, seed: number, context?: ContextLimit): Promise<RequestTable> {
  let table: RequestTable;
  if (spec.kind === "trace") {
    table = (await readTrace(resolve(baseDir, spec.path), { format: spec.format ?? "auto", timeScale: spec.timeScale ?? 1, limit: spec.limit ?? 0 })).table;
  } else {
    const empirical = await loadEmpirical(spec.inputTokens, spec.outputTokens, baseDir);
    table = spec.kind === "synthetic" ? generateSynthetic(spec, seed, empirical) : generateClosedLoop(spec, seed, empirical);
  }
  if (context) checkContext(table, spec, baseDir, context);
  return table;
}

/**
 * Requests longer than the model's context window (SGLang's tokenizer manager rejects them, see
 * `_validate_one_request`) are an input error: a trace meant for a longer-context model, or sessions
 * whose history outgrows the window.
 */
function checkContext(t: RequestTable, spec: WorkloadSpec, baseDir: string, c: ContextLimit): void {
  let over = 0;
  let longest = -1;
  for (let i = 0; i < t.count; i++) {
    const len = t.inputTokens[i] + t.outputTokens[i];
    if (len > c.contextLengthTokens) {
      over++;
      if (longest < 0 || len > t.inputTokens[longest] + t.outputTokens[longest]) longest = i;
    }
  }
  if (over === 0) return;
  const p = c.path ?? "";
  const n = (x: number): string => x.toLocaleString("en-US");
  const what = `${n(over)} of ${n(t.count)} requests exceed ${c.modelId}'s context length of ${n(c.contextLengthTokens)} tokens ` +
    `(prompt + answer; the longest: ${n(t.inputTokens[longest])} + ${n(t.outputTokens[longest])} tokens)`;
  if (spec.kind === "trace") {
    throw new InputError({ file: c.file, path: `${p}/path`, message: `${what} in ${resolve(baseDir, spec.path)}; expected a model with a longer context, or a trace (limit) without them` });
  }
  const sessions = spec.kind === "synthetic" && spec.prefix?.sessions !== undefined;
  throw new InputError({
    file: c.file,
    path: sessions ? `${p}/prefix/sessions/turnsMean` : `${p}/inputTokens`,
    message: sessions
      ? `${what}: each turn's prompt repeats the session's history; expected fewer or shorter turns`
      : `${what}; expected a max that keeps prompt + answer within the context`,
  });
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

/**
 * The search replays a workload at other rates by scaling its open-loop arrival times, so it needs
 * them to span some time: all requests at one instant (a one-request workload, a trace whose
 * timestamps are all equal) have no rate to scale. `simulate` runs such a burst as it is.
 * @throws InputError naming the spec's file and the workload's path
 */
export function checkArrivalSpan(t: RequestTable, spec: WorkloadSpec, file: string, path = ""): void {
  let first = Infinity;
  let last = -Infinity;
  let open = 0;
  for (let i = 0; i < t.count; i++) {
    if (t.after[i] >= 0) continue;
    open++;
    first = Math.min(first, t.arrivalUs[i]);
    last = Math.max(last, t.arrivalUs[i]);
  }
  if (open >= 2 && last > first) return;
  const why = open < 2
    ? `${open === 1 && t.count > 1 ? "all its requests belong to one session that starts" : "it has a single request, which arrives"} at one instant`
    : `all ${open.toLocaleString("en-US")} of its requests arrive at the same instant (duplicate timestamps, a span of 0 s)`;
  throw new InputError({
    file,
    path: spec.kind === "trace" ? `${path}/path` : `${path}/requests`,
    message: `the workload has no arrival rate for the search to scale: ${why}; expected at least 2 arrivals at different times ` +
      "(simulate replays such a burst as it is)",
  });
}
