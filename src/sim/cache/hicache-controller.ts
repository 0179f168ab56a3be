/**
 * One replica's HiCache controller: the copies between the GPU tier (L1), host memory (L2) and
 * storage (L3) and the tree updates they cause, as SGLang splits them between
 * `managers/cache_controller.py` (HiCacheController: write, load, prefetch, write_storage) and
 * `mem_cache/hiradix_cache.py` (HiRadixCache: write_backup, init_load_back / load_back,
 * prefetch_from_storage, check_prefetch_progress, can_terminate_prefetch).
 *
 * - Write-through(-selective): a prompt committed to the tree is copied to host right away
 *   (`writeBackup`); the copy's landing marks the nodes host-backed and writes them on to storage.
 *   Write-back copies on eviction instead: the radix cache does that, `KvPool.ensureFree` charges it.
 * - Load-back: a host-only prefix hit is copied back to the GPU before the request runs
 *   (`initLoadBack`); the replica overlaps that copy with compute layer by layer.
 * - L3 prefetch: on arrival, storage hits that continue a host-backed prefix are fetched into host
 *   memory (`prefetchFromStorage`); the stop policy decides when the request may be scheduled with
 *   what has arrived (`checkPrefetchProgress`).
 *
 * Copies are timed on `TransferChannel`s; the cluster's event queue delivers their completion to
 * `onIoDone` through the operation id (`CacheOperationPool`).
 */
import type { ResolvedDeployment } from "../deployment/resolve.js";
import type { RequestTable } from "../workload/request-table.js";
import { CacheOperationPool, CacheOpKind } from "./cache-operation.js";
import type { L3Store } from "./l3-store.js";
import { newMatchResult } from "./match-memo.js";
import type { RadixCache } from "./radix-cache.js";
import type { TransferChannel } from "./transfer-channel.js";

/** HiSim's effective fraction of link bandwidth for L2 copies. */
export const L2_LINK_EFFICIENCY = 0.85;
/** HiRadixCache load_back_threshold: host hits shorter than this are recomputed. */
const LOAD_BACK_THRESHOLD_TOKENS = 10;

/** Tier channels and stores a replica uses; L3 ones may be shared by the whole cluster. */
export interface HiCacheTiers {
  l2Read?: TransferChannel; // host -> GPU (load-back)
  l2Write?: TransferChannel; // GPU -> host (backup)
  l3Read?: TransferChannel; // storage -> host (prefetch)
  l3Write?: TransferChannel; // host -> storage (backup)
  l3?: L3Store;
}

/** Bytes the controller moved, per direction. */
export interface HiCacheStats {
  bytesL2ToL1: number;
  bytesL1ToL2: number;
  bytesL3ToL2: number;
  bytesL2ToL3: number;
}

/** Where the controller schedules the completion of a copy (the cluster's event queue). */
export interface CacheIoHost {
  scheduleIo(replica: number, atUs: number, opId: number): void;
}

/** The GPU KV pool, which load-back allocates from (evicting if it must). */
export interface DeviceKvPool {
  ensureFree(tokens: number): boolean;
}

/**
 * A request's L3 prefetch in flight (SGLang's PrefetchOperation, kept on the request so nothing is
 * allocated per prefetch). `pfBlocks > 0` while one is in flight.
 */
export interface PrefetchSlot {
  readonly arrivalUs: number;
  readonly hashStart: number;
  /** Range after the matched prefix (blocks from hashStart), and the transfer window. */
  pfFrom: number;
  pfBlocks: number;
  pfStartUs: number;
  pfEndUs: number;
  /** Host node the prefetch continues, host-locked until it terminates (0 = root). */
  pfNode: number;
  /** Blocks that arrived from L3 (set at termination). */
  l3Blocks: number;
}

export class HiCacheController {
  /** Bytes loaded back host -> GPU for the step being formed (the replica resets it per step). */
  loadBackBytesThisStep = 0;
  private readonly B: number;
  private readonly bytesPerBlock: number;
  /** hit_count a node needs before write_through_selective backs it up. */
  private readonly writeThreshold: number;
  /** HiCache prefetch_capacity_limit, tokens. */
  private readonly prefetchCapacityTokens: number;
  private prefetchTokensInFlight = 0;
  private readonly ops = new CacheOperationPool();
  private readonly match = newMatchResult();
  private readonly insertOut = { blocks: 0 };
  private readonly xfer = { startUs: 0, endUs: 0 };

  constructor(
    private readonly replica: number,
    private readonly dep: ResolvedDeployment,
    private readonly cache: RadixCache,
    private readonly table: RequestTable,
    private readonly tiers: HiCacheTiers,
    private readonly device: DeviceKvPool,
    private readonly host: CacheIoHost,
    private readonly stats: HiCacheStats,
  ) {
    this.B = table.blockSize;
    this.bytesPerBlock = this.B * dep.kvBytesPerTokenPerReplica;
    this.writeThreshold = dep.kvCache.writePolicy === "write_through_selective" ? 2 : 1;
    const l1CapacityTokens = dep.memory.kvPoolTokens;
    this.prefetchCapacityTokens = Math.max(0, 0.8 * (cache.l2CapacityBlocks * this.B - l1CapacityTokens));
  }

  // ---------------------------------------------------------------- GPU -> host (write-through)

  /**
   * HiRadixCache write_backup on insert (write_through / write_through_selective, whose
   * _inc_hit_count backs a node up once it is hit often enough): copies the qualifying nodes on
   * the path ending at `deepest` that have no host copy yet, shallow first.
   */
  writeBackup(deepest: number, nowUs: number): void {
    const l2 = this.dep.kvCache.l2;
    if (!l2 || this.dep.kvCache.writePolicy === "write_back" || !this.tiers.l2Write) return;
    const cache = this.cache;
    let n = 0;
    let pathLength = 0;
    for (let x = deepest; x > 0 && !cache.isInL2(x); x = cache.parentOf(x)) {
      pathLength++;
      if (cache.hitCount(x) < this.writeThreshold) {
        n = 0; // an unqualified node: back up only the qualified ancestors above it
        continue;
      }
      n++;
    }
    if (n === 0) return;
    // The n shallowest nodes of that path, shallow first.
    const items = new Int32Array(n);
    let k = pathLength - 1; // depth index of x below the first host-backed ancestor, 0 = shallowest
    for (let x = deepest; k >= 0; x = cache.parentOf(x), k--) if (k < n) items[k] = x;
    if (!cache.holdL2(n)) return;
    const top = items[n - 1];
    cache.lock(top);
    const bytes = n * this.B * this.dep.kvBytesPerTokenPerReplica;
    this.tiers.l2Write.schedule(nowUs, bytes, this.xfer);
    this.stats.bytesL1ToL2 += bytes;
    const id = this.ops.take(CacheOpKind.Backup, top, items, n);
    this.host.scheduleIo(this.replica, this.xfer.endUs, id);
  }

  /**
   * A copy landed (HiRadixCache writing_check; cache_controller's ack queues). A host backup marks
   * its nodes host-backed, unlocks them and writes them on to storage (write_backup_storage); a
   * storage write adds its blocks to the L3 store.
   * @returns true when it was a host backup (its lock is gone: a queue it blocked may move now).
   */
  onIoDone(opId: number, nowUs: number): boolean {
    const op = this.ops.get(opId);
    const backup = op.kind === CacheOpKind.Backup;
    if (backup) {
      this.cache.releaseL2(op.count);
      let done = 0;
      for (let i = 0; i < op.count; i++) {
        if (this.cache.markBackedUp(op.items[i])) done++;
        else break;
      }
      this.cache.unlock(op.node);
      if (done > 0 && this.tiers.l3 && this.tiers.l3Write) this.writeStorage(op.items, done, nowUs);
    } else {
      this.tiers.l3!.put(op.items, 0, op.count);
    }
    this.ops.give(opId);
    return backup;
  }

  /** HiCacheController.write_storage: newly host-backed nodes go on to storage (skipping keys it has). */
  private writeStorage(nodes: Int32Array, count: number, nowUs: number): void {
    const l3 = this.tiers.l3!;
    const ids = new Int32Array(count);
    let n = 0;
    for (let i = 0; i < count; i++) {
      const id = this.cache.blockOf(nodes[i]);
      if (!l3.has(id)) ids[n++] = id;
    }
    if (n === 0) return;
    const bytes = n * this.B * this.dep.kvBytesPerTokenPerReplica;
    this.tiers.l3Write!.schedule(nowUs, bytes, this.xfer);
    this.stats.bytesL2ToL3 += bytes;
    const id = this.ops.take(CacheOpKind.StorageWrite, 0, ids, n);
    this.host.scheduleIo(this.replica, this.xfer.endUs, id);
  }

  // ---------------------------------------------------------------- host -> GPU (load-back)

  /** Host-only blocks of a match worth loading back: below load_back_threshold they are recomputed. */
  hostHitBlocks(l2Blocks: number): number {
    return l2Blocks * this.B < LOAD_BACK_THRESHOLD_TOKENS ? 0 : l2Blocks;
  }

  /**
   * HiRadixCache init_load_back / load_back: copies the host-only blocks `l1Blocks .. l1Blocks +
   * l2Blocks` of the prefix starting at `ids[from]` back to the GPU, re-inserting them into L1
   * below `l1Node` (which the caller has locked when `l1Blocks > 0`) and moving that lock down to
   * the deepest loaded node. The host part is protected from host eviction meanwhile.
   * @returns the deepest loaded node, or 0 when the GPU has no room (the caller recomputes them).
   */
  initLoadBack(from: number, l1Blocks: number, l2Blocks: number, l1Node: number, lastNode: number): number {
    const cache = this.cache;
    cache.hostLock(lastNode);
    let deeper = 0;
    if (this.device.ensureFree(l2Blocks * this.B)) {
      const blocks = l1Blocks + l2Blocks;
      deeper = cache.insertL1(this.table.hashIds, from, blocks, this.insertOut, blocks, l1Node, l1Blocks);
      cache.relock(deeper, l1Blocks > 0 ? l1Node : 0);
      const bytes = l2Blocks * this.B * this.dep.kvBytesPerTokenPerReplica;
      this.loadBackBytesThisStep += bytes;
      this.stats.bytesL2ToL1 += bytes;
    }
    cache.hostUnlock(lastNode);
    return deeper;
  }

  // ---------------------------------------------------------------- storage -> host (L3 prefetch)

  /**
   * HiRadixCache prefetch_from_storage on arrival: fetch the storage hits that continue a
   * host-backed prefix of the request's first `maxBlocks` blocks, if they are worth it
   * (prefetch_threshold) and fit (prefetch_capacity_limit, host memory).
   */
  prefetchFromStorage(r: PrefetchSlot, maxBlocks: number, nowUs: number): void {
    const l3 = this.tiers.l3!;
    const read = this.tiers.l3Read!;
    const kv = this.dep.kvCache;
    const ids = this.table.hashIds;
    const m = this.cache.match(ids, r.hashStart, maxBlocks, this.match);
    const j = m.l1Blocks + m.l2Blocks;
    if (j >= maxBlocks) return;
    if (j > 0 && !this.cache.isInL2(m.lastNode)) return; // prefetch only continues a host-backed prefix
    const hits = l3.contiguousHits(ids, r.hashStart + j, maxBlocks - j);
    const tokens = hits * this.B;
    if (hits === 0 || tokens < Math.max(kv.prefetchThresholdTokens, this.dep.engine.pageSize)) return;
    if (this.prefetchTokensInFlight + tokens > this.prefetchCapacityTokens) return;
    // Protect the prefix first (SGLang: protect_host() before alloc/evict_host): making room in L2
    // must not evict the host-only node this prefetch continues.
    if (m.lastNode > 0) this.cache.hostLock(m.lastNode);
    if (!this.cache.holdL2(hits)) {
      if (m.lastNode > 0) this.cache.hostUnlock(m.lastNode);
      return;
    }
    read.schedule(nowUs, tokens * this.dep.kvBytesPerTokenPerReplica, this.xfer);
    r.pfFrom = j;
    r.pfBlocks = hits;
    r.pfStartUs = this.xfer.startUs;
    r.pfEndUs = this.xfer.endUs;
    r.pfNode = m.lastNode;
    this.prefetchTokensInFlight += tokens;
  }

  /**
   * HiRadixCache check_prefetch_progress + can_terminate_prefetch (prefetch_stop_policy
   * best_effort / wait_complete / timeout) + HiCacheController.terminate_prefetch: true when the
   * request may be scheduled now, inserting what arrived as host-only nodes; false while its policy
   * says keep waiting.
   */
  checkPrefetchProgress(r: PrefetchSlot, nowUs: number): boolean {
    if (r.pfBlocks === 0) return true;
    const kv = this.dep.kvCache;
    const complete = nowUs >= r.pfEndUs;
    if (!complete) {
      if (kv.prefetchPolicy === "wait_complete") return false;
      // SGLang times the PrefetchOperation from its creation (arrival), not from when the link
      // starts moving it: time queued behind other transfers counts.
      if (kv.prefetchPolicy === "timeout" && nowUs - r.arrivalUs <= this.prefetchTimeoutUs(r)) return false;
    }
    const read = this.tiers.l3Read!;
    const span = r.pfEndUs - r.pfStartUs - read.latencyUs;
    const progress = complete ? 1 : span > 0 ? Math.max(0, Math.min(1, (nowUs - r.pfStartUs - read.latencyUs) / span)) : 0;
    const fetched = Math.floor(progress * r.pfBlocks);
    const bytesPerBlock = this.bytesPerBlock;
    if (!complete) read.cancelTail(r.pfStartUs, r.pfEndUs, nowUs, r.pfBlocks * bytesPerBlock, fetched * bytesPerBlock);
    this.cache.releaseL2(r.pfBlocks);
    if (fetched > 0) {
      this.cache.insertL2(this.table.hashIds, r.hashStart, r.hashStart + r.pfFrom, fetched);
      this.stats.bytesL3ToL2 += fetched * bytesPerBlock;
    }
    if (r.pfNode > 0) this.cache.hostUnlock(r.pfNode);
    this.prefetchTokensInFlight -= r.pfBlocks * this.B;
    r.l3Blocks = fetched;
    r.pfBlocks = 0;
    return true;
  }

  /**
   * Earliest time one of `waiting`, held back by its prefetch stop policy, may proceed (Infinity
   * when none is): an idle replica wakes up then.
   */
  prefetchWakeUs(waiting: readonly PrefetchSlot[]): number {
    if (!this.tiers.l3) return Infinity;
    const timeout = this.dep.kvCache.prefetchPolicy === "timeout";
    let at = Infinity;
    for (const r of waiting) {
      if (r.pfBlocks === 0) continue;
      let t = r.pfEndUs;
      if (timeout) t = Math.min(t, r.arrivalUs + this.prefetchTimeoutUs(r) + 1);
      if (t < at) at = t;
    }
    return at;
  }

  /** prefetch_timeout_base + prefetch_timeout_per_ki_token x KiTokens of the prefetch, µs. */
  private prefetchTimeoutUs(r: PrefetchSlot): number {
    const kv = this.dep.kvCache;
    return (kv.prefetchTimeoutBaseS + ((r.pfBlocks * this.B) / 1024) * kv.prefetchTimeoutPerKiTokenS) * 1e6;
  }
}
