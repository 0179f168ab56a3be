/**
 * Closed-loop benchmark clients, as `bench_serving --max-concurrency` runs them: `concurrency`
 * requests start at t = 0 and each completion releases the next request immediately, so request
 * i >= concurrency follows request i - concurrency. Random-token prompts share nothing, so every
 * block id is unique. Random streams: "input-lengths", "output-lengths".
 */
import type { ClosedLoopWorkload } from "../../config/types.js";
import { rngStream } from "../rng.js";
import { lengthSampler } from "./length-dist.js";
import { allocRequestTable, type RequestTable } from "./request-table.js";
import { DEFAULT_BLOCK_SIZE, type EmpiricalLengths } from "./synthetic.js";

/** Generates the requests of a closed-loop spec (block size 16). */
export function generateClosedLoop(spec: ClosedLoopWorkload, seed: number, empirical: EmpiricalLengths = {}): RequestTable {
  const n = spec.requests;
  const c = spec.concurrency;
  const B = DEFAULT_BLOCK_SIZE;
  const inLen = lengthSampler(spec.inputTokens, rngStream(seed, "input-lengths"), empirical.inputTokens);
  const outLen = lengthSampler(spec.outputTokens, rngStream(seed, "output-lengths"), empirical.outputTokens);
  const t = allocRequestTable(n, B, 0);
  let blocks = 0;
  for (let i = 0; i < n; i++) {
    t.inputTokens[i] = inLen();
    t.outputTokens[i] = outLen();
    if (i >= c) t.after[i] = i - c;
    t.hashStart[i] = blocks;
    blocks += Math.ceil(t.inputTokens[i] / B);
  }
  t.hashStart[n] = blocks;
  t.hashIds = new Int32Array(blocks);
  for (let k = 0; k < blocks; k++) t.hashIds[k] = k;
  return t;
}
