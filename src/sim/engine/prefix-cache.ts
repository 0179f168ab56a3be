/**
 * What a scheduler asks of the prefix cache for one request, as SGLang's `BasePrefixCache`
 * (mem_cache/base_prefix_cache.py) exposes it: `match_prefix`, `inc_lock_ref` / `dec_lock_ref`,
 * `cache_unfinished_req` and `cache_finished_req`, over the block tree of `cache/radix-cache.ts`
 * with HiCache's host tier (`cache/hicache-controller.ts`).
 *
 * Matching and locking are two calls with the match handed from one to the other: `match` fills a
 * `PrefixMatch` the caller owns (one per scheduler, reused every step), and `lock` admits exactly
 * that match. Nothing may change the tree between the two.
 */
import type { HiCacheController } from "../cache/hicache-controller.js";
import { newMatchResult, type MatchResult } from "../cache/match-memo.js";
import type { RadixCache } from "../cache/radix-cache.js";
import type { RequestTable } from "../workload/request-table.js";
import type { KvPool } from "./kv-pool.js";
import type { Req } from "./request.js";

/** Prefix-hit tokens per tier, counted at a request's first admission. */
export interface PrefixHitStats {
  hitTokensL1: number;
  hitTokensL2: number;
  hitTokensL3: number;
}

/**
 * A request's prefix match. `l2Blocks` counts only host blocks worth loading back (HiCache
 * load_back_threshold); `l1Node` / `lastNode` are the deepest GPU / any-tier nodes matched.
 */
export interface PrefixMatch extends MatchResult {
  /** Tokens the request would start from: (l1Blocks + l2Blocks) x block size. */
  prefixTokens: number;
}

export function newPrefixMatch(): PrefixMatch {
  return { ...newMatchResult(), prefixTokens: 0 };
}

export class PrefixCache {
  private readonly B: number;
  private readonly enabled: boolean;
  private readonly insertOut = { blocks: 0 };
  private scratch = new Int32Array(256);

  constructor(
    private readonly cache: RadixCache,
    private readonly table: RequestTable,
    private readonly kv: KvPool,
    private readonly hicache: HiCacheController,
    private readonly stats: PrefixHitStats,
    enablePrefixCaching: boolean,
  ) {
    this.B = table.blockSize;
    this.enabled = enablePrefixCaching;
  }

  /** Most prompt blocks a cache hit may cover: the last token is always recomputed. */
  maxHitBlocks(r: Req): number {
    return Math.min(r.promptFullBlocks, Math.floor((r.fillTarget - 1) / this.B));
  }

  /**
   * match_prefix for a waiting request (no side effect beyond recency) into `out`, which it returns.
   * Host hits below the load-back threshold count as misses.
   */
  match(r: Req, out: PrefixMatch): PrefixMatch {
    if (!this.enabled) {
      out.l1Blocks = out.l2Blocks = out.l1Node = out.lastNode = out.prefixTokens = 0;
      return out;
    }
    this.cache.match(this.table.hashIds, r.hashStart, this.maxHitBlocks(r), out);
    out.l2Blocks = this.hicache.hostHitBlocks(out.l2Blocks);
    out.prefixTokens = (out.l1Blocks + out.l2Blocks) * this.B;
    return out;
  }

  /**
   * Admits the prefix `m` that `match(r, m)` just found: locks it (inc_lock_ref) and loads its
   * host-only part back to the GPU (HiCache init_load_back), or recomputes that part if the GPU has
   * no room. Sets `filled` and the hit split that `commitHits` records if the request is admitted.
   * @returns the prefix tokens the request starts from.
   */
  lock(r: Req, m: PrefixMatch): number {
    const l1 = m.l1Blocks;
    let l2 = m.l2Blocks;
    let node = m.l1Node;
    if (l1 > 0) this.cache.lock(node);
    if (l2 > 0) {
      const deeper = this.hicache.initLoadBack(r.hashStart, l1, l2, node, m.lastNode);
      if (deeper > 0) node = deeper;
      else l2 = 0;
    }
    r.lockNode = l1 + l2 > 0 ? node : 0;
    r.treeBlocks = l1 + l2;
    const prefix = (l1 + l2) * this.B;
    if (!r.admittedOnce) {
      const fromL3 = Math.min(r.l3Blocks, l2) * this.B;
      r.hitL1 = l1 * this.B;
      r.hitL2 = l2 * this.B - fromL3;
      r.hitL3 = fromL3;
    }
    r.filled = prefix;
    return prefix;
  }

  /**
   * The request locked by `lock` was admitted into the batch: on its first admission, its hit split
   * (from that lock) counts in the per-tier hit statistics. A request locked and then left waiting
   * (`unlock`) records nothing; its split is taken again at its next try.
   */
  commitHits(r: Req): void {
    if (r.admittedOnce) return;
    r.admittedOnce = true;
    this.stats.hitTokensL1 += r.hitL1;
    this.stats.hitTokensL2 += r.hitL2;
    this.stats.hitTokensL3 += r.hitL3;
  }

  /** dec_lock_ref for a request that was locked but stays waiting. */
  unlock(r: Req): void {
    if (r.lockNode > 0) this.cache.unlock(r.lockNode);
    r.lockNode = 0;
    r.treeBlocks = 0;
    r.filled = 0;
    if (!r.admittedOnce) r.hitL1 = r.hitL2 = r.hitL3 = 0;
  }

  /**
   * cache_unfinished_req: the computed full prompt blocks join the tree right away, so others can
   * share them; hits count only once the whole prompt is in (intermediate chunk inserts count
   * none), and then the prompt is backed up per write policy.
   */
  cacheUnfinishedReq(r: Req, promptDone: boolean, nowUs: number): void {
    if (!this.enabled) return;
    const upto = Math.min(r.promptFullBlocks, Math.floor(Math.min(r.filled, r.inputTokens) / this.B));
    if (upto <= r.treeBlocks && !promptDone) return;
    const blocks = Math.max(upto, r.treeBlocks);
    const node = this.cache.insertL1(this.table.hashIds, r.hashStart, blocks, this.insertOut, promptDone ? 0 : upto, r.lockNode, r.treeBlocks);
    this.moveLock(r, node, blocks);
    if (promptDone) this.hicache.writeBackup(node, nowUs);
  }

  /**
   * cache_finished_req: at completion the answer's blocks (known for synthetic sessions) join the
   * tree too, so the session's next turn hits them. The caller frees the request afterwards.
   */
  cacheFinishedReq(r: Req, nowUs: number): void {
    if (!this.enabled) return;
    const B = this.B;
    const promptBlocks = Math.ceil(r.inputTokens / B);
    const extra = r.hashEnd - r.hashStart - promptBlocks;
    if (extra <= 0) return;
    // Sequence = prompt's full blocks + answer blocks (the prompt's partial block id is skipped:
    // that block is completed by the answer and has a new id).
    const seqTokens = r.inputTokens + r.out - 1;
    const total = Math.min(Math.floor(seqTokens / B), r.promptFullBlocks + extra);
    if (total <= r.treeBlocks) return;
    if (this.scratch.length < total) this.scratch = new Int32Array(total * 2);
    const ids = this.table.hashIds;
    const s = this.scratch;
    for (let i = 0; i < r.promptFullBlocks && i < total; i++) s[i] = ids[r.hashStart + i];
    for (let i = r.promptFullBlocks; i < total; i++) s[i] = ids[r.hashStart + promptBlocks + (i - r.promptFullBlocks)];
    const node = this.cache.insertL1(s, 0, total, this.insertOut, r.promptFullBlocks, r.lockNode, r.treeBlocks);
    this.moveLock(r, node, total);
    this.hicache.writeBackup(node, nowUs);
  }

  /** The request now holds `blocks` leading blocks in the tree, pinned at `node`. */
  private moveLock(r: Req, node: number, blocks: number): void {
    const converted = (blocks - r.treeBlocks) * this.B;
    if (converted > 0) this.kv.moveToTree(r, converted);
    if (node !== r.lockNode) {
      this.cache.relock(node, r.lockNode);
      r.lockNode = node;
    }
    r.treeBlocks = blocks;
  }
}
