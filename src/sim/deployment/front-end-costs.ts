/**
 * CPU costs of a replica's server front end (SGLang's TokenizerManager and detokenizer, vLLM's API
 * server; the model is in src/sim/engine/front-end.ts), µs. One set for both engines: both are
 * Python event loops doing the same work per request and per streamed token.
 *
 * None of them is identifiable from the H100 serving rows, whose streamed rates stay below 8.3K
 * tokens/s (any `tokenUs` from 10 to 60 moves their errors by under half a point), so they are set
 * from what the code does:
 * - `promptTokenUs`: Hugging Face's Rust tokenizer encodes about 0.8-0.9 M tokens/s on one core
 *   (marin-community/marin#2829: 835K tokens/s single-threaded; sgl-project/sglang#9427: 864K), 1.2 µs;
 * - `tokenUs`: per streamed token, SGLang's single detokenizer process alone tops out near 38K
 *   tokens/s (sgl-project/sglang#9970: 5.12M tokens in 133 s with 8 tokenizer workers, 1 detokenizer),
 *   ~26 µs; the TokenizerManager's per-request work (output dict, stream wake-up, OpenAI chunk
 *   serialization, the HTTP write) is larger still and single-core by default
 *   (sgl-project/sglang#6553), so 50 µs, a ceiling of 20K streamed tokens/s per replica;
 * - `requestUs` (FastAPI parsing, request validation, chat template, handing it over) 500 µs and
 *   `stepUs` (receiving and unpacking one step's batch output) 100 µs.
 */
export interface FrontEndCosts {
  /** Per request intake (HTTP, validation, handing it to the scheduler). */
  requestUs: number;
  /** Per prompt token (tokenization). */
  promptTokenUs: number;
  /** Per engine step that produced output. */
  stepUs: number;
  /** Per streamed token (detokenize, SSE chunk, client parse). */
  tokenUs: number;
}

export const FRONT_END_COSTS: Readonly<FrontEndCosts> = {
  requestUs: 500,
  promptTokenUs: 1.2,
  stepUs: 100,
  tokenUs: 50,
};
