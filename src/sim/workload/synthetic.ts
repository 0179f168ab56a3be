/**
 * Synthetic open-loop workloads: an arrival process, input/output length distributions, shared
 * system prompts with Zipf popularity and multi-turn sessions, all expressed as prefix-chained block
 * ids exactly like a trace.
 *
 * Model (documented choices):
 * - A *session* is one conversation. Without `prefix.sessions` every request is its own one-turn
 *   session. Session starts are open-loop arrivals at `ratePerS / turnsMean`, so the long-run request
 *   rate is about `ratePerS`; the first session starts at t = 0.
 * - Turns per session: geometric on {1, 2, ...} with mean `turnsMean` (after each turn the user
 *   leaves with probability 1/turnsMean). Memoryless and long-tailed like observed chat sessions;
 *   the last session is cut short so the table holds exactly `requests` requests.
 * - Turn k+1 is released `think` µs after turn k completes (`after`/`afterDelayUs`), think time
 *   exponential with mean `thinkTimeMeanS` (default 0: back to back, like an agent loop).
 * - Token stream of a session: [system prompt][user 1][answer 1][user 2][answer 2]...; turn k's
 *   prompt is the stream up to and including user text k (lengths from `inputTokens`), its answer
 *   the next `outputTokens` tokens. `inputTokens` is the *new* text of a turn; the system prompt
 *   (`systemPromptTokens`, one of `systemPrompts` chosen per session with Zipf(`zipfAlpha`, default 1)
 *   popularity) comes on top.
 * - Block ids (block = `blockSize` tokens, default 16): a block entirely inside the system prompt has
 *   an id shared by every session using that prompt; any other complete block of the stream gets an
 *   id of its own, stable for the session, so turn k+1's prompt repeats turn k's prompt+answer ids;
 *   a trailing partial block (of a prompt, or of prompt+answer) gets an id used nowhere else. Answer
 *   entries follow the prompt entries (see `RequestTable.hashStart`); single-turn workloads without
 *   sessions record none (nothing could reuse them).
 * Random streams: "arrivals", "input-lengths", "output-lengths", "system-prompt", "sessions",
 * "think-times".
 */
import type { SyntheticWorkload } from "../../config/types.js";
import { rngStream } from "../rng.js";
import { gapSamplerUs } from "./arrivals.js";
import { GrowableInt32 } from "./growable.js";
import { lengthSampler } from "./length-dist.js";
import { allocRequestTable, type RequestTable } from "./request-table.js";
import { zipfSampler } from "./zipf.js";

/** Lengths of the `empirical` trace files of a spec, loaded at the I/O edge. */
export interface EmpiricalLengths {
  inputTokens?: Int32Array;
  outputTokens?: Int32Array;
}

/** Default tokens per prefix block of generated workloads. */
export const DEFAULT_BLOCK_SIZE = 16;

/**
 * Generates the requests of a synthetic spec.
 * @param seed master seed; each part draws from its own named stream
 */
export function generateSynthetic(spec: SyntheticWorkload, seed: number, empirical: EmpiricalLengths = {}): RequestTable {
  const n = spec.requests;
  const B = spec.blockSize ?? DEFAULT_BLOCK_SIZE;
  const inLen = lengthSampler(spec.inputTokens, rngStream(seed, "input-lengths"), empirical.inputTokens);
  const outLen = lengthSampler(spec.outputTokens, rngStream(seed, "output-lengths"), empirical.outputTokens);

  const sessions = spec.prefix?.sessions;
  const turnsMean = sessions?.turnsMean ?? 1;
  const thinkMeanUs = (sessions?.thinkTimeMeanS ?? 0) * 1e6;
  const sessionRng = rngStream(seed, "sessions");
  const thinkRng = rngStream(seed, "think-times");
  const gap = gapSamplerUs(spec.arrival.process, spec.arrival.ratePerS / turnsMean, rngStream(seed, "arrivals"), spec.arrival.cv);

  const sysTokens = spec.prefix?.systemPromptTokens ?? 0;
  const nSys = sysTokens > 0 ? (spec.prefix?.systemPrompts ?? 1) : 0;
  const pickSys = nSys > 0 ? zipfSampler(nSys, spec.prefix?.zipfAlpha ?? 1, rngStream(seed, "system-prompt")) : () => -1;
  const sysBlocks = Math.floor(sysTokens / B);

  const t = allocRequestTable(n, B, 0);
  const ids = new GrowableInt32(n * 16);
  const stream = new GrowableInt32(256); // block ids of the current session's token stream
  let nextId = nSys * sysBlocks;
  let sysIndex = -1;
  // Id of stream block b of the current session; the block must be complete in the stream.
  const streamId = (b: number): number => {
    while (stream.length <= b) {
      const k = stream.length;
      stream.push((k + 1) * B <= sysTokens ? sysIndex * sysBlocks + k : nextId++);
    }
    return stream.data[b];
  };

  let i = 0;
  let session = 0;
  let startUs = 0;
  while (i < n) {
    if (session > 0) startUs += gap();
    const turns = Math.min(n - i, geometric(turnsMean, sessionRng.next()));
    sysIndex = pickSys();
    stream.length = 0;
    let streamTokens = sysTokens;
    for (let k = 0; k < turns; k++, i++) {
      const prompt = streamTokens + inLen();
      const answer = outLen();
      t.inputTokens[i] = prompt;
      t.outputTokens[i] = answer;
      t.sessionId[i] = session;
      if (k === 0) {
        t.arrivalUs[i] = startUs;
      } else {
        t.after[i] = i - 1;
        t.afterDelayUs[i] = thinkMeanUs > 0 ? thinkRng.exponential(thinkMeanUs) : 0;
        t.arrivalUs[i] = t.arrivalUs[i - 1] + t.afterDelayUs[i];
      }
      t.hashStart[i] = ids.length;
      const full = Math.floor(prompt / B);
      for (let b = 0; b < full; b++) ids.push(streamId(b));
      if (prompt % B !== 0) ids.push(nextId++);
      streamTokens = prompt + answer;
      if (sessions) {
        const end = Math.floor(streamTokens / B);
        for (let b = full; b < end; b++) ids.push(streamId(b));
        if (streamTokens % B !== 0) ids.push(nextId++);
      }
    }
    session++;
  }
  t.hashStart[n] = ids.length;
  t.hashIds = ids.toArray();
  return t;
}

/** Geometric on {1, 2, ...} with the given mean (>= 1), by inversion of uniform `u` in [0, 1). */
function geometric(mean: number, u: number): number {
  if (mean <= 1) return 1;
  const p = 1 / mean;
  return 1 + Math.floor(Math.log(1 - u) / Math.log(1 - p));
}
