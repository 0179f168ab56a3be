/** Hand-built router inputs shared by the router tests. */
import type { RouteRequest } from "../../../src/sim/router/types.js";
import { resolveRouterConfig } from "../../../src/sim/router/router-config.js";
import type { RouterConfig } from "../../../src/sim/router/types.js";
import type { RouterConfigInput } from "../../../src/config/types.js";

/** A request whose prompt is `blocks` (prefix-chained ids); by default every block is full. */
export function req(blocks: number[], opts: { inputTokens?: number; blockSize?: number; index?: number } = {}): RouteRequest {
  const blockSize = opts.blockSize ?? 16;
  return {
    index: opts.index ?? 0,
    inputTokens: opts.inputTokens ?? blocks.length * blockSize,
    blockSize,
    hashIds: Int32Array.from(blocks),
    hashStart: 0,
    hashEnd: blocks.length,
  };
}

/** A request with `inputTokens` tokens and no block ids (enough for load- or length-based policies). */
export function lenReq(inputTokens: number): RouteRequest {
  return { index: 0, inputTokens, blockSize: 16, hashIds: new Int32Array(0), hashStart: 0, hashEnd: 0 };
}

export function cfg(input: RouterConfigInput = {}): RouterConfig {
  return resolveRouterConfig(input);
}

/**
 * Prefix-chained conversations: conversation c's turn t prompt is its previous prompt plus
 * `growBlocks` new blocks, all after `sharedBlocks` blocks common to every conversation.
 */
export class ConversationIds {
  private next = 1_000_000;
  private readonly prompts: number[][] = [];
  constructor(readonly shared: number[]) {}
  turn(c: number, growBlocks: number): number[] {
    const prev = this.prompts[c] ?? this.shared.slice();
    const p = prev.concat(Array.from({ length: growBlocks }, () => this.next++));
    this.prompts[c] = p;
    return p;
  }
}
