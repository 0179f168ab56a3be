/**
 * The server front end of one replica: the process that takes HTTP requests, tokenizes them and
 * streams the generated tokens back. SGLang runs it as the TokenizerManager inside the HTTP server
 * process (managers/tokenizer_manager.py: `generate_request` tokenizes and sends to the scheduler,
 * `handle_loop` receives each step's batch output from the detokenizer and wakes every request's
 * stream); vLLM as the API server process (vllm/v1/engine/async_llm.py: `AsyncLLM.add_request`
 * tokenizes, `output_handler` runs `OutputProcessor.process_outputs`, which detokenizes, and feeds
 * each request's stream). Either is one Python event loop: one CPU that serves its jobs in order.
 *
 * Jobs, in the order they reach it (a FIFO on one server):
 * - intake of a request: a fixed cost (HTTP parsing, request validation, handing it to the
 *   scheduler) plus a cost per prompt token (tokenization of the prompt text);
 * - each engine step's output: a fixed cost per step (receiving and unpacking the batch output)
 *   plus a cost per streamed token (incremental detokenization, building the SSE chunk, writing it,
 *   and the benchmark client's parsing of it on the other side of the connection, a second
 *   single-threaded loop in series with this one). Tokens of one step leave one after another, in
 *   batch order, so requests that finish in the same step reach their clients at different times.
 *
 * It never slows the GPU: the scheduler does not wait for the front end (its outputs queue up), but
 * clients see tokens only when the front end has sent them, and a closed-loop client's next request
 * waits behind the backlog too. Above its throughput (about 1 / tokenUs tokens per second) it, not
 * the GPU, sets the rate a benchmark sees.
 */
import type { FrontEndCosts } from "../deployment/front-end-costs.js";

export class FrontEnd {
  /** When the front end finishes the jobs it has been given so far. */
  private busyUntilUs = 0;
  private tokenIndex = 0;
  private stepStartUs = 0;

  constructor(private readonly costs: FrontEndCosts) {}

  /** A request arrives at `nowUs`; returns when it reaches the scheduler. */
  intake(nowUs: number, promptTokens: number): number {
    const c = this.costs;
    const start = Math.max(nowUs, this.busyUntilUs);
    this.busyUntilUs = start + c.requestUs + c.promptTokenUs * promptTokens;
    return this.busyUntilUs;
  }

  /**
   * An engine step ended at `nowUs` with `tokens` tokens to stream: the front end takes the step's
   * output after what it already has; `nextDelivery` then gives each token's send time in turn.
   */
  beginStep(nowUs: number, tokens: number): void {
    const c = this.costs;
    this.stepStartUs = Math.max(nowUs, this.busyUntilUs) + c.stepUs;
    this.tokenIndex = 0;
    this.busyUntilUs = this.stepStartUs + c.tokenUs * tokens;
  }

  /** Send time of the step's next token (call once per token, in batch order, after `beginStep`). */
  nextDelivery(): number {
    this.tokenIndex++;
    return this.stepStartUs + this.costs.tokenUs * this.tokenIndex;
  }
}
