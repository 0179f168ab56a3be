/**
 * Limits of a workload that the schema alone cannot state: how much memory its request table will
 * take (checked before it is generated), and whether its requests fit the model's context window.
 * Each returns issues naming the file, the JSON path and the limit; callers throw one InputError.
 */
import type { LengthDist, ModelSpec, WorkloadSpec } from "../config/types.js";
import type { InputIssue } from "../errors.js";

/**
 * Block ids a generated workload may hold: 2^28 Int32 entries (1 GiB), plus the per-request rows.
 * A table past this is a typo (a session of 10,000 turns, a block size of 1 on long prompts) or a
 * job for a trace file, never something to allocate before saying so.
 */
export const MAX_TABLE_BLOCKS = 2 ** 28;

/** Mean of a length distribution after clipping (approximate for lognormal); undefined when unknown (empirical). */
export function meanLength(d: LengthDist): number | undefined {
  const max = d.max ?? Infinity;
  if (d.fixed !== undefined) return Math.min(d.fixed, max);
  if (d.uniform !== undefined) return Math.min((d.uniform[0] + d.uniform[1]) / 2, max);
  if (d.lognormal !== undefined) return Math.min(d.lognormal.mean, max);
  return undefined;
}

/** Largest length the distribution can draw; Infinity for an unclipped lognormal, undefined when unknown (empirical). */
export function maxLength(d: LengthDist): number | undefined {
  const max = d.max ?? Infinity;
  if (d.fixed !== undefined) return Math.min(d.fixed, max);
  if (d.uniform !== undefined) return Math.min(d.uniform[1], max);
  if (d.lognormal !== undefined) return max;
  return d.max;
}

const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "unbounded");

/**
 * The request table of a synthetic or closed-loop workload must stay under MAX_TABLE_BLOCKS block
 * ids. Sessions repeat their history in every turn's prompt, so a request's prompt grows with its
 * turn; a request's expected turn index in a geometric session is `turnsMean` (memoryless).
 */
export function tableSizeIssues(w: WorkloadSpec, file: string, path = ""): InputIssue[] {
  if (w.kind === "trace") return [];
  const meanIn = meanLength(w.inputTokens);
  const meanOut = meanLength(w.outputTokens);
  if (meanIn === undefined || meanOut === undefined) return [];
  const n = w.requests;
  let B = 16;
  let tokens = meanIn;
  if (w.kind === "synthetic") {
    B = w.blockSize ?? 16;
    const turns = Math.min(w.prefix?.sessions?.turnsMean ?? 1, n);
    // Prompt of an average turn: the system prompt, every earlier turn (text + answer), its own text;
    // with sessions the table also keeps the answer's blocks for the next turn.
    tokens = (w.prefix?.systemPromptTokens ?? 0) + turns * meanIn + (turns - 1) * meanOut + (w.prefix?.sessions ? meanOut : 0);
  }
  const blocks = n * Math.ceil(tokens / B);
  if (blocks <= MAX_TABLE_BLOCKS) return [];
  return [{
    file,
    path: `${path}/requests`,
    message:
      `the request table would hold about ${fmt(blocks)} prefix blocks (${fmt(n)} requests x ~${fmt(tokens)} tokens / ${B}-token blocks, ` +
      `about ${(blocks * 4 / 2 ** 30).toFixed(1)} GiB); expected at most ${fmt(MAX_TABLE_BLOCKS)} (1 GiB): fewer requests, shorter prompts or sessions, ` +
      `or a larger blockSize`,
  }];
}

/**
 * Every request of a generated workload must fit the model's context window: prompt (system prompt
 * + text) plus answer at most `contextLengthTokens`, the bound SGLang's tokenizer manager
 * (`_validate_one_request`) and vLLM's input processor reject requests past. Checked on the
 * distributions' largest values, so an unclipped lognormal needs a `max`. Sessions grow with each
 * turn and are checked on the generated table (see io/load-workload.ts).
 */
export function contextIssues(w: WorkloadSpec, model: ModelSpec, file: string, path = ""): InputIssue[] {
  if (w.kind === "trace") return [];
  const ctx = model.contextLengthTokens;
  const sys = w.kind === "synthetic" ? (w.prefix?.systemPromptTokens ?? 0) : 0;
  const maxIn = maxLength(w.inputTokens);
  const maxOut = maxLength(w.outputTokens);
  const issues: InputIssue[] = [];
  const limit = `${model.id}'s context length of ${fmt(ctx)} tokens`;
  if (sys >= ctx) {
    issues.push({ file, path: `${path}/prefix/systemPromptTokens`, message: `a ${fmt(sys)}-token system prompt leaves no room in ${limit}` });
    return issues;
  }
  if (maxIn !== undefined && sys + maxIn > ctx) {
    const room = ctx - sys - (maxOut !== undefined && Number.isFinite(maxOut) ? maxOut : 1);
    issues.push(tooLong(w.inputTokens, `${path}/inputTokens`, Math.max(1, room),
      `prompts can reach ${fmt(sys + maxIn)} tokens${sys > 0 ? ` (${fmt(sys)} of system prompt + ${fmt(maxIn)})` : ""}, beyond ${limit}`, file,
      `some prompts would exceed ${limit}`));
  } else if (maxIn !== undefined && maxOut !== undefined && sys + maxIn + maxOut > ctx) {
    issues.push(tooLong(w.outputTokens, `${path}/outputTokens`, Math.max(1, ctx - sys - maxIn),
      `prompt (up to ${fmt(sys + maxIn)} tokens) plus answer (up to ${fmt(maxOut)}) can reach ${fmt(sys + maxIn + maxOut)} tokens, beyond ${limit}`, file,
      `some prompts plus answers would exceed ${limit}`));
  }
  return issues;
}

/** The issue for a length distribution whose largest value is too long: points at the field to change. */
function tooLong(d: LengthDist, path: string, most: number, what: string, file: string, unboundedWhat: string): InputIssue {
  if (d.max === undefined && d.lognormal) {
    return { file, path, message: `a lognormal without max is unbounded, so ${unboundedWhat}; expected a max of at most ${fmt(most)}` };
  }
  if (d.max !== undefined) return { file, path: `${path}/max`, message: `${what}; expected a max of at most ${fmt(most)}` };
  if (d.fixed !== undefined) return { file, path: `${path}/fixed`, message: `${what}; expected at most ${fmt(most)}` };
  return { file, path: `${path}/uniform/1`, message: `${what}; expected an upper bound of at most ${fmt(most)}` };
}
