/**
 * Closed-loop benchmark clients, as `bench_serving --max-concurrency` (sglang/bench_serving.py
 * `benchmark`: every request is a task behind an `asyncio.Semaphore(max_concurrency)`, request rate
 * inf) and `vllm bench serve` (vllm/benchmarks/serve.py, the same design) run them: `concurrency`
 * requests start together and each completion releases the next, so request i >= concurrency
 * follows request i - concurrency. Random-token prompts share nothing, so every block id is unique.
 * Random streams: "input-lengths", "output-lengths", "client-start".
 *
 * The client is one Python event loop: starting a request (a new aiohttp session and the POST of its
 * prompt, behind whatever else the loop has to do) costs it an exponential time of mean
 * `clientRequestUs` (a memoryless wait for the loop), one request after another: the first wave
 * leaves one by one, and successors of requests that end together leave one by one too
 * (`RequestTable.serialClient`). The benchmark's
 * warm-up (bench_serving: one request awaited, then a 1 s sleep; aiperf: a warm-up phase drained
 * before profiling) ends before the measured requests start, so they start on an idle engine.
 * Everything else that spreads clients apart happens on the server and is modelled there: prompts
 * tokenized one after another, tokens of one step streamed one after another
 * (src/sim/engine/front-end.ts), and the engine's own step boundaries.
 */
import type { ClosedLoopWorkload } from "../../config/types.js";
import { rngStream } from "../rng.js";
import { lengthSampler } from "./length-dist.js";
import { allocRequestTable, type RequestTable } from "./request-table.js";
import { DEFAULT_BLOCK_SIZE, type EmpiricalLengths } from "./synthetic.js";

/**
 * Mean client time to start one request, µs: creating an aiohttp ClientSession and sending the POST
 * (bench_serving opens a session per request), behind the loop's other work. Fitted on the measured
 * H100 rows' TTFT (scripts/calibrate-e2e.ts; grid 0.3, 1, 3, 10 ms).
 */
export const CLIENT_REQUEST_US = 3000;

/** Generates the requests of a closed-loop spec (block size 16). */
export function generateClosedLoop(
  spec: ClosedLoopWorkload, seed: number, empirical: EmpiricalLengths = {}, clientRequestUs = CLIENT_REQUEST_US,
): RequestTable {
  const n = spec.requests;
  const c = spec.concurrency;
  const B = DEFAULT_BLOCK_SIZE;
  const jitter = rngStream(seed, "client-start");
  const startUs = () => jitter.exponential(clientRequestUs);
  const inLen = lengthSampler(spec.inputTokens, rngStream(seed, "input-lengths"), empirical.inputTokens);
  const outLen = lengthSampler(spec.outputTokens, rngStream(seed, "output-lengths"), empirical.outputTokens);
  const t = allocRequestTable(n, B, 0);
  let blocks = 0;
  for (let i = 0; i < n; i++) {
    t.inputTokens[i] = inLen();
    t.outputTokens[i] = outLen();
    if (i >= c) {
      t.after[i] = i - c;
      t.afterDelayUs[i] = startUs();
      t.arrivalUs[i] = t.arrivalUs[i - c] + t.afterDelayUs[i]; // ordering key only (request-table.ts)
    } else {
      t.arrivalUs[i] = (i > 0 ? t.arrivalUs[i - 1] : 0) + (i > 0 ? startUs() : 0);
    }
    t.hashStart[i] = blocks;
    blocks += Math.ceil(t.inputTokens[i] / B);
  }
  t.serialClient = true;
  t.hashStart[n] = blocks;
  t.hashIds = new Int32Array(blocks);
  for (let k = 0; k < blocks; k++) t.hashIds[k] = k;
  return t;
}
