/**
 * The GPU KV pool of one replica, in tokens: what the radix cache holds (shared, evictable when
 * unlocked) plus what running requests hold outside it (computed but not yet committed to the
 * tree). SGLang's token_to_kv_pool_allocator with the tree cache's evictable size on top:
 * `available_size() + evictable_size()` is what the PrefillAdder budgets against, and a batch
 * allocates with `alloc_token_slots`, evicting tree leaves first when the free part is short.
 */
import type { RadixCache, L1EvictResult } from "../cache/radix-cache.js";
import { L2_LINK_EFFICIENCY, type DeviceKvPool } from "../cache/hicache-controller.js";
import type { ResolvedDeployment } from "../deployment/resolve.js";
import type { Req } from "./request.js";

export class KvPool implements DeviceKvPool {
  /** Tokens the pool holds in all. */
  readonly capacityTokens: number;
  /** Tokens held by requests outside the tree. */
  privateTokens = 0;
  /** Time the step being formed waits for write_back copies of evicted blocks, µs (reset per step). */
  writeBackStallUs = 0;
  /** Tokens per KV block (the radix cache's unit). */
  readonly blockSize: number;
  private readonly B: number;
  private readonly evictOut: L1EvictResult = { freedBlocks: 0, writtenBackBlocks: 0 };

  constructor(
    private readonly cache: RadixCache,
    private readonly dep: ResolvedDeployment,
    private readonly stats: { bytesL1ToL2: number },
  ) {
    this.blockSize = this.B = cache.blockSize;
    this.capacityTokens = dep.memory.kvPoolTokens;
  }

  /** Free tokens, not counting what eviction could free. */
  freeTokens(): number {
    return this.capacityTokens - this.cache.l1Blocks * this.B - this.privateTokens;
  }

  /** Free plus evictable tokens. */
  availableTokens(): number {
    return this.freeTokens() + this.cache.l1EvictableBlocks * this.B;
  }

  /** Tokens in use that eviction cannot free (tree blocks locked by requests, private tokens). */
  usedTokens(): number {
    return this.cache.l1Blocks * this.B - this.cache.l1EvictableBlocks * this.B + this.privateTokens;
  }

  /**
   * Makes `tokens` free, evicting unlocked tree leaves (RadixCache evict); false if it cannot.
   * Under write_back the victims are copied to host first and the step waits for the copy
   * (HiRadixCache.evict -> write_backup(write_back=True) -> writing_check(write_back=True)).
   */
  ensureFree(tokens: number): boolean {
    const free = this.freeTokens();
    if (free >= tokens) return true;
    const need = Math.ceil((tokens - free) / this.B);
    const r = this.cache.evictL1(need, this.evictOut);
    if (r.writtenBackBlocks > 0 && this.dep.kvCache.l2) {
      const bytes = r.writtenBackBlocks * this.B * this.dep.kvBytesPerTokenPerReplica;
      this.stats.bytesL1ToL2 += bytes;
      this.writeBackStallUs += bytes / (this.dep.kvCache.l2.writeGBps * 1e3 * L2_LINK_EFFICIENCY);
    }
    return this.freeTokens() >= tokens;
  }

  /** `r` takes `tokens` more (the caller made them free with ensureFree). */
  alloc(r: Req, tokens: number): void {
    r.privateTokens += tokens;
    this.privateTokens += tokens;
  }

  /** Up to `tokens` of `r`'s private tokens now live in the tree (committed blocks). */
  moveToTree(r: Req, tokens: number): void {
    const c = Math.min(tokens, r.privateTokens);
    r.privateTokens -= c;
    this.privateTokens -= c;
  }

  /** Releases everything `r` holds: its tree lock (dec_lock_ref) and its private tokens. */
  free(r: Req): void {
    if (r.lockNode > 0) this.cache.unlock(r.lockNode);
    r.lockNode = 0;
    r.treeBlocks = 0;
    this.privateTokens -= r.privateTokens;
    r.privateTokens = 0;
  }
}
