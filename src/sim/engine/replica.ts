/**
 * One inference-engine replica: scheduler (SGLang prefill-first with chunked prefill and PrefillAdder
 * admission, or vLLM decode-first token budget), KV-cache manager (radix tree with HiCache L1/L2,
 * optional L3) and the batch latency estimator. It is driven by the cluster's event loop through
 * `arrive`, `onStepDone`, `onIoDone` and `onWake`, and reports back through `ReplicaHost`.
 *
 * Algorithms follow reference/routing-cache.md sections B and C; where this file simplifies, a
 * comment says so.
 */
import { InvariantError } from "../../errors.js";
import { RadixCache, newMatchResult, type L1EvictResult } from "../cache/radix-cache.js";
import type { L3Store } from "../cache/l3-store.js";
import type { TransferChannel } from "../cache/transfer-channel.js";
import type { ResolvedDeployment } from "../deployment/resolve.js";
import type { BatchSummary, StepEstimator } from "../estimator/types.js";
import { newBatchSummary } from "../estimator/types.js";
import type { RequestTable } from "../workload/request-table.js";
import { Req, ReqPhase, ReqPool } from "./request.js";

/** SGLang CLIP_MAX_NEW_TOKENS: output reservation per request is capped at this. */
const CLIP_MAX_NEW_TOKENS = 4096;
/** SGLang SGLANG_RETRACT_DECODE_STEPS, used to re-estimate new_token_ratio after a retraction. */
const RETRACT_DECODE_STEPS = 20;
/** HiCache load_back_threshold: host hits shorter than this are recomputed. */
const LOAD_BACK_THRESHOLD_TOKENS = 10;
/** HiSim's effective fraction of link bandwidth for L2 copies. */
const L2_LINK_EFFICIENCY = 0.85;

/** What the replica needs from the cluster that drives it. */
export interface ReplicaHost {
  scheduleStepDone(replica: number, atUs: number): void;
  scheduleWake(replica: number, atUs: number): void;
  scheduleIo(replica: number, atUs: number, opId: number): void;
  /** A request emitted its first token. */
  onFirstToken(req: Req, timeUs: number): void;
  /** `count` requests emitted a token `gapUs` after their previous one. */
  onInterToken(gapUs: number): void;
  /** A request finished; the replica releases `req` right after this returns. */
  onFinish(req: Req, timeUs: number): void;
  /** A request could never fit this replica's KV pool and was rejected. */
  onReject(req: Req, timeUs: number): void;
}

/** Tier channels and stores a replica uses; L3 ones may be shared by the whole cluster. */
export interface ReplicaTiers {
  l2Read?: TransferChannel; // host -> GPU (load-back)
  l2Write?: TransferChannel; // GPU -> host (backup)
  l3Read?: TransferChannel; // storage -> host (prefetch)
  l3Write?: TransferChannel; // host -> storage (backup)
  l3?: L3Store;
}

/** Counters a replica accumulates for the metrics. */
export interface ReplicaStats {
  completed: number;
  busyUs: number;
  steps: number;
  prefillSteps: number;
  retractions: number;
  bytesL2ToL1: number;
  bytesL1ToL2: number;
  bytesL3ToL2: number;
  bytesL2ToL3: number;
  hitTokensL1: number;
  hitTokensL2: number;
  hitTokensL3: number;
  inputTokens: number;
}

const IO_BACKUP = 1;
const IO_L3_WRITE = 2;

interface IoOp {
  kind: number;
  /** Deepest locked node (backup) — unlocked when the copy lands. */
  node: number;
  /** Nodes (backup) or block ids (L3 write), shallow first. */
  items: Int32Array;
  count: number;
  next: number; // free-list link
}

export class Replica {
  readonly stats: ReplicaStats = {
    completed: 0, busyUs: 0, steps: 0, prefillSteps: 0, retractions: 0,
    bytesL2ToL1: 0, bytesL1ToL2: 0, bytesL3ToL2: 0, bytesL2ToL3: 0,
    hitTokensL1: 0, hitTokensL2: 0, hitTokensL3: 0, inputTokens: 0,
  };
  readonly cache: RadixCache;
  /** Tokens the GPU KV pool holds. */
  readonly l1CapacityTokens: number;
  private readonly B: number;
  private privateTokens = 0;

  private readonly waiting: Req[] = [];
  private readonly running: Req[] = [];
  private chunked: Req | null = null;
  private readonly batch: Req[] = [];
  private busy = false;
  private stepStartUs = 0;
  private wakeAtUs = Infinity;

  private newTokenRatio: number;
  private readonly initNewTokenRatio: number;
  private readonly minNewTokenRatio: number;
  private readonly newTokenRatioDecay: number;

  private readonly summary: BatchSummary = newBatchSummary(4096);
  private readonly match = newMatchResult();
  private readonly evictOut: L1EvictResult = { freedBlocks: 0, writtenBackBlocks: 0 };
  private readonly insertOut = { blocks: 0 };
  private readonly xfer = { startUs: 0, endUs: 0 };
  private stallUs = 0;
  private nowUs = 0;
  private peekL1 = 0;
  private peekL2 = 0;
  private peekL1Node = 0;
  private peekLastNode = 0;
  private loadBackBytesThisStep = 0;
  private scratch = new Int32Array(256);
  private readonly ioOps: IoOp[] = [];
  private ioFree = -1;
  /** Prefetch tokens in flight (HiCache prefetch_capacity_limit). */
  private prefetchTokensInFlight = 0;
  private readonly prefetchCapacityTokens: number;
  private readonly writeThreshold: number;

  constructor(
    readonly id: number,
    readonly dep: ResolvedDeployment,
    private readonly table: RequestTable,
    private readonly estimator: StepEstimator,
    private readonly host: ReplicaHost,
    private readonly pool: ReqPool,
    private readonly tiers: ReplicaTiers,
  ) {
    this.B = table.blockSize;
    this.l1CapacityTokens = dep.memory.kvPoolTokens;
    const kv = dep.kvCache;
    const bytesPerBlock = this.B * dep.kvBytesPerTokenPerReplica;
    const l2Blocks = kv.l2 ? Math.floor((kv.l2.capacityGb * 1e9) / bytesPerBlock) : 0;
    this.cache = new RadixCache({
      blockSize: this.B,
      l1CapacityBlocks: Math.floor(this.l1CapacityTokens / this.B),
      l2CapacityBlocks: l2Blocks,
      evictionPolicy: kv.evictionPolicy,
      writeBackOnEvict: Boolean(kv.l2) && kv.writePolicy === "write_back",
    });
    this.prefetchCapacityTokens = Math.max(0, 0.8 * (l2Blocks * this.B - this.l1CapacityTokens));
    this.writeThreshold = kv.writePolicy === "write_through_selective" ? 2 : 1;
    this.initNewTokenRatio = Math.min(0.7 * dep.engine.schedConservativeness, 1);
    this.minNewTokenRatio = this.initNewTokenRatio * 0.14;
    this.newTokenRatioDecay = (this.initNewTokenRatio - this.minNewTokenRatio) / 600;
    this.newTokenRatio = this.initNewTokenRatio;
  }

  // ---------------------------------------------------------------- public driving API

  /** This replica's L3 store (shared ones are the same object across replicas). */
  get l3Store(): L3Store | undefined {
    return this.tiers.l3;
  }

  /** Requests queued or running here (what a router's in-flight count would see). */
  get inFlight(): number {
    return this.waiting.length + this.running.length + (this.chunked ? 1 : 0);
  }

  /** SGLang `get_load`: KV tokens in use plus input tokens of queued requests. */
  loadTokens(): number {
    let q = 0;
    for (const r of this.waiting) q += r.inputTokens;
    return this.cache.l1Blocks * this.B - this.cache.l1EvictableBlocks * this.B + this.privateTokens + q;
  }

  /** Free GPU KV tokens (not counting what eviction could free). */
  freeTokens(): number {
    return this.l1CapacityTokens - this.cache.l1Blocks * this.B - this.privateTokens;
  }

  /** A request arrives at this replica. */
  arrive(r: Req, nowUs: number): void {
    this.nowUs = nowUs;
    r.fillTarget = r.inputTokens;
    if (r.inputTokens + r.outputTokens > this.l1CapacityTokens) {
      // Longer than the whole KV pool: the engine rejects it (SGLang aborts over-long inputs).
      this.host.onReject(r, nowUs);
      this.pool.give(r);
      return;
    }
    this.stats.inputTokens += r.inputTokens;
    if (this.tiers.l3) this.startPrefetch(r, nowUs);
    this.waiting.push(r);
    if (!this.busy) this.tryStep(nowUs);
  }

  onWake(nowUs: number): void {
    this.nowUs = nowUs;
    if (nowUs >= this.wakeAtUs) this.wakeAtUs = Infinity;
    if (!this.busy) this.tryStep(nowUs);
  }

  onStepDone(nowUs: number): void {
    this.nowUs = nowUs;
    this.busy = false;
    this.stats.busyUs += nowUs - this.stepStartUs;
    const b = this.batch;
    for (let i = 0; i < b.length; i++) this.completeStepFor(b[i], nowUs);
    // Pop rather than `length = 0`, which releases the backing store that the next step regrows.
    while (b.length > 0) b.pop();
    this.tryStep(nowUs);
  }

  onIoDone(opId: number, nowUs: number): void {
    this.nowUs = nowUs;
    const op = this.ioOps[opId];
    if (op.kind === IO_BACKUP) {
      this.cache.releaseL2(op.count);
      let done = 0;
      for (let i = 0; i < op.count; i++) {
        if (this.cache.markBackedUp(op.items[i])) done++;
        else break;
      }
      this.cache.unlock(op.node);
      if (done > 0 && this.tiers.l3 && this.tiers.l3Write) {
        // Write the newly host-backed blocks through to storage (skipping keys it already has).
        const ids = new Int32Array(done);
        let n = 0;
        for (let i = 0; i < done; i++) {
          const id = this.cache.blockOf(op.items[i]);
          if (!this.tiers.l3.has(id)) ids[n++] = id;
        }
        if (n > 0) {
          const bytes = n * this.B * this.dep.kvBytesPerTokenPerReplica;
          this.tiers.l3Write.schedule(nowUs, bytes, this.xfer);
          this.stats.bytesL2ToL3 += bytes;
          const id = this.newIoOp(IO_L3_WRITE, 0, ids, n);
          this.host.scheduleIo(this.id, this.xfer.endUs, id);
        }
      }
    } else {
      this.tiers.l3!.put(op.items, 0, op.count);
    }
    op.next = this.ioFree;
    this.ioFree = opId;
    // The backup's lock is gone: an idle replica whose queue was blocked by it may run now (no other
    // event would wake it; with no arrival left it would stay idle forever).
    if (op.kind === IO_BACKUP && !this.busy && (this.waiting.length > 0 || this.chunked !== null)) this.tryStep(nowUs);
  }

  // ---------------------------------------------------------------- step loop

  private tryStep(nowUs: number): void {
    if (this.busy) return;
    this.stallUs = 0;
    this.loadBackBytesThisStep = 0;
    const formed = this.dep.engine.kind === "sglang" ? this.formSglangBatch(nowUs) : this.formVllmBatch(nowUs);
    if (!formed) {
      if (this.running.length === 0 && this.waiting.length === 0 && !this.chunked) {
        this.newTokenRatio = this.initNewTokenRatio;
      }
      this.armPrefetchWake(nowUs);
      return;
    }
    const computeUs = this.estimator.stepUs(this.fillSummary());
    let stepUs = computeUs;
    if (this.loadBackBytesThisStep > 0 && this.dep.kvCache.l2) {
      // Layer-wise overlap of the H2D load with compute: only the first layer's load is exposed
      // when loading is faster than compute, the compute of one layer when it is slower.
      const l2 = this.dep.kvCache.l2;
      const L = this.dep.model.numLayers;
      const loadUs = L * l2.latencyUs + this.loadBackBytesThisStep / (l2.readGBps * 1e3 * L2_LINK_EFFICIENCY);
      stepUs = Math.max(computeUs, loadUs) + Math.min(computeUs, loadUs) / L;
    }
    stepUs += this.stallUs;
    this.busy = true;
    this.stepStartUs = nowUs;
    this.stats.steps++;
    this.host.scheduleStepDone(this.id, nowUs + stepUs);
  }

  private fillSummary(): BatchSummary {
    const s = this.summary;
    s.decodeCount = 0;
    s.decodeContextSum = 0;
    s.prefillCount = 0;
    const b = this.batch;
    for (let i = 0; i < b.length; i++) {
      const r = b[i];
      if (r.filled < r.fillTarget) {
        if (s.prefillCount === s.prefillNew.length) this.growSummary();
        s.prefillNew[s.prefillCount] = r.stepTokens;
        s.prefillCached[s.prefillCount] = r.filled;
        s.prefillCount++;
      } else {
        s.decodeCount++;
        s.decodeContextSum += r.inputTokens + r.out - 1;
      }
    }
    return s;
  }

  private growSummary(): void {
    const n = this.summary.prefillNew.length * 2;
    const a = new Int32Array(n);
    a.set(this.summary.prefillNew);
    const c = new Int32Array(n);
    c.set(this.summary.prefillCached);
    this.summary.prefillNew = a;
    this.summary.prefillCached = c;
  }

  /** Applies the finished step to one request: prefill progress, emitted tokens, completion. */
  private completeStepFor(r: Req, nowUs: number): void {
    if (r.filled < r.fillTarget) {
      r.filled += r.stepTokens;
      r.stepTokens = 0;
      const done = r.filled >= r.fillTarget;
      // cache_unfinished_req: the computed prompt becomes shareable right away; hit counts only
      // once the whole prompt is in (intermediate chunk inserts do not count).
      this.commitPrompt(r, done);
      if (!done) return; // still chunking
      this.emitToken(r, nowUs);
      if (r.out >= r.outputTokens) {
        this.finish(r, nowUs);
        return;
      }
      if (this.chunked === r) this.chunked = null;
      if (r.phase !== ReqPhase.Running) {
        r.phase = ReqPhase.Running;
        this.running.push(r);
      }
      return;
    }
    r.stepTokens = 0;
    this.emitToken(r, nowUs);
    if (r.out >= r.outputTokens) this.finish(r, nowUs);
  }

  private emitToken(r: Req, nowUs: number): void {
    if (r.out === 0) {
      r.firstTokenUs = nowUs;
      this.host.onFirstToken(r, nowUs);
    } else {
      this.host.onInterToken(nowUs - r.lastTokenUs);
    }
    r.out++;
    r.lastTokenUs = nowUs;
  }

  private finish(r: Req, nowUs: number): void {
    const i = this.running.indexOf(r);
    if (i >= 0) this.running.splice(i, 1);
    if (this.chunked === r) this.chunked = null;
    this.commitOutput(r);
    if (r.lockNode > 0) this.cache.unlock(r.lockNode);
    r.lockNode = 0;
    this.privateTokens -= r.privateTokens;
    r.privateTokens = 0;
    this.stats.completed++;
    this.host.onFinish(r, nowUs);
    this.pool.give(r);
  }

  // ---------------------------------------------------------------- KV memory

  /** Makes `tokens` of GPU KV free, evicting unlocked cache leaves; false if it cannot. */
  private ensureFree(tokens: number): boolean {
    const free = this.freeTokens();
    if (free >= tokens) return true;
    const need = Math.ceil((tokens - free) / this.B);
    const r = this.cache.evictL1(need, this.evictOut);
    if (r.writtenBackBlocks > 0 && this.dep.kvCache.l2) {
      // write_back copies the victim to host before freeing it, blocking this step.
      const bytes = r.writtenBackBlocks * this.B * this.dep.kvBytesPerTokenPerReplica;
      this.stats.bytesL1ToL2 += bytes;
      this.stallUs += bytes / (this.dep.kvCache.l2.writeGBps * 1e3 * L2_LINK_EFFICIENCY);
    }
    return this.freeTokens() >= tokens;
  }

  /** Free plus evictable GPU KV tokens. */
  private availableTokens(): number {
    return this.freeTokens() + this.cache.l1EvictableBlocks * this.B;
  }

  private alloc(r: Req, tokens: number): void {
    r.privateTokens += tokens;
    this.privateTokens += tokens;
  }

  /** Most prompt blocks a cache hit may cover: the last token is always recomputed. */
  private maxHitBlocks(r: Req): number {
    return Math.min(r.promptFullBlocks, Math.floor((r.fillTarget - 1) / this.B));
  }

  /**
   * Matches a waiting request's prompt against the cache (no side effects beyond recency):
   * sets `peekL1` / `peekL2` blocks. Host hits below the load-back threshold are recomputed.
   * @returns the prefix tokens the request would start from.
   */
  private peekPrefix(r: Req): number {
    if (!this.dep.engine.enablePrefixCaching) {
      this.peekL1 = this.peekL2 = 0;
      return 0;
    }
    const m = this.cache.match(this.table.hashIds, r.hashStart, this.maxHitBlocks(r), this.match);
    this.peekL1 = m.l1Blocks;
    this.peekL2 = m.l2Blocks * this.B < LOAD_BACK_THRESHOLD_TOKENS ? 0 : m.l2Blocks;
    this.peekL1Node = m.l1Node;
    this.peekLastNode = m.lastNode;
    return (this.peekL1 + this.peekL2) * this.B;
  }

  /**
   * Admits the prefix found by the last `peekPrefix(r)`: locks it and loads its host-only part back
   * to the GPU (HiCache init_load_back), or recomputes that part if the GPU has no room.
   * Sets `filled` and, on first admission, the per-tier hit accounting. @returns the prefix tokens.
   */
  private lockPrefix(r: Req): number {
    const ids = this.table.hashIds;
    const l1 = this.peekL1;
    let l2 = this.peekL2;
    let node = this.peekL1Node;
    if (l1 > 0) this.cache.lock(node);
    if (l2 > 0) {
      this.cache.hostLock(this.peekLastNode);
      if (this.ensureFree(l2 * this.B)) {
        const deeper = this.cache.insertL1(ids, r.hashStart, l1 + l2, this.insertOut, l1 + l2, node, l1);
        this.cache.relock(deeper, l1 > 0 ? node : 0);
        node = deeper;
        const bytes = l2 * this.B * this.dep.kvBytesPerTokenPerReplica;
        this.loadBackBytesThisStep += bytes;
        this.stats.bytesL2ToL1 += bytes;
      } else {
        l2 = 0;
      }
      this.cache.hostUnlock(this.peekLastNode);
    }
    r.lockNode = l1 + l2 > 0 ? node : 0;
    r.treeBlocks = l1 + l2;
    const prefix = (l1 + l2) * this.B;
    if (!r.admittedOnce) {
      r.admittedOnce = true;
      const fromL3 = Math.min(r.l3Blocks, l2) * this.B;
      r.hitL1 = l1 * this.B;
      r.hitL2 = l2 * this.B - fromL3;
      r.hitL3 = fromL3;
      this.stats.hitTokensL1 += r.hitL1;
      this.stats.hitTokensL2 += r.hitL2;
      this.stats.hitTokensL3 += r.hitL3;
    }
    r.filled = prefix;
    return prefix;
  }

  /** Commits the computed full prompt blocks to the tree (and backs them up per write policy). */
  private commitPrompt(r: Req, promptDone: boolean): void {
    if (!this.dep.engine.enablePrefixCaching) return;
    const upto = Math.min(r.promptFullBlocks, Math.floor(Math.min(r.filled, r.inputTokens) / this.B));
    if (upto <= r.treeBlocks && !promptDone) return;
    const node = this.cache.insertL1(
      this.table.hashIds, r.hashStart, Math.max(upto, r.treeBlocks), this.insertOut, promptDone ? 0 : upto, r.lockNode, r.treeBlocks,
    );
    this.moveLock(r, node, Math.max(upto, r.treeBlocks));
    if (promptDone) this.maybeBackup(node);
  }

  /** At completion: the answer's blocks (known for synthetic sessions) join the tree too. */
  private commitOutput(r: Req): void {
    if (!this.dep.engine.enablePrefixCaching) return;
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
    this.maybeBackup(node);
  }

  /** The request now holds `blocks` leading blocks in the tree, pinned at `node`. */
  private moveLock(r: Req, node: number, blocks: number): void {
    const converted = (blocks - r.treeBlocks) * this.B;
    if (converted > 0) {
      const c = Math.min(converted, r.privateTokens);
      r.privateTokens -= c;
      this.privateTokens -= c;
    }
    if (node !== r.lockNode) {
      this.cache.relock(node, r.lockNode);
      r.lockNode = node;
    }
    r.treeBlocks = blocks;
  }

  /** HiCache write_through(_selective): copy qualifying nodes on the path to host memory. */
  private maybeBackup(deepest: number): void {
    const l2 = this.dep.kvCache.l2;
    if (!l2 || this.dep.kvCache.writePolicy === "write_back" || !this.tiers.l2Write) return;
    let n = 0;
    for (let x = deepest; x > 0 && !this.cache.isInL2(x); x = this.cache.parentOf(x)) {
      if (this.cache.hitCount(x) < this.writeThreshold) {
        n = 0; // an unqualified node: back up only the qualified ancestors above it
        continue;
      }
      n++;
    }
    if (n === 0) return;
    // Collect the n shallowest non-backed qualified nodes of the path, shallow first.
    const path: number[] = [];
    for (let x = deepest; x > 0 && !this.cache.isInL2(x); x = this.cache.parentOf(x)) path.push(x);
    const items = new Int32Array(n);
    for (let i = 0; i < n; i++) items[i] = path[path.length - 1 - i];
    if (!this.cache.holdL2(n)) return;
    const top = items[n - 1];
    this.cache.lock(top);
    const bytes = n * this.B * this.dep.kvBytesPerTokenPerReplica;
    this.tiers.l2Write.schedule(this.nowUs, bytes, this.xfer);
    this.stats.bytesL1ToL2 += bytes;
    const id = this.newIoOp(IO_BACKUP, top, items, n);
    this.host.scheduleIo(this.id, this.xfer.endUs, id);
  }

  private newIoOp(kind: number, node: number, items: Int32Array, count: number): number {
    let id = this.ioFree;
    if (id >= 0) {
      const op = this.ioOps[id];
      this.ioFree = op.next;
      op.kind = kind;
      op.node = node;
      op.items = items;
      op.count = count;
      op.next = -1;
    } else {
      id = this.ioOps.length;
      this.ioOps.push({ kind, node, items, count, next: -1 });
    }
    return id;
  }

  // ---------------------------------------------------------------- L3 prefetch

  /** HiCache _prefetch_kvcache: on arrival, fetch the storage hits that continue a host-backed prefix. */
  private startPrefetch(r: Req, nowUs: number): void {
    const l3 = this.tiers.l3!;
    const read = this.tiers.l3Read!;
    const kv = this.dep.kvCache;
    const ids = this.table.hashIds;
    const max = this.maxHitBlocks(r);
    const m = this.cache.match(ids, r.hashStart, max, this.match);
    const j = m.l1Blocks + m.l2Blocks;
    if (j >= max) return;
    if (j > 0 && !this.cache.isInL2(m.lastNode)) return; // prefetch only continues a host-backed prefix
    const hits = l3.contiguousHits(ids, r.hashStart + j, max - j);
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
   * HiCache check_prefetch_progress + terminate: true when the request may be admitted now
   * (inserting what arrived as host-only nodes), false when its policy says keep waiting.
   */
  private prefetchReady(r: Req, nowUs: number): boolean {
    if (r.pfBlocks === 0) return true;
    const kv = this.dep.kvCache;
    const complete = nowUs >= r.pfEndUs;
    if (!complete) {
      if (kv.prefetchPolicy === "wait_complete") return false;
      if (kv.prefetchPolicy === "timeout") {
        const timeoutUs = (kv.prefetchTimeoutBaseS + ((r.pfBlocks * this.B) / 1024) * kv.prefetchTimeoutPerKiTokenS) * 1e6;
        // SGLang times the PrefetchOperation from its creation (arrival), not from when the link
        // starts moving it: time queued behind other transfers counts.
        if (nowUs - r.arrivalUs <= timeoutUs) return false;
      }
    }
    const read = this.tiers.l3Read!;
    const span = r.pfEndUs - r.pfStartUs - read.latencyUs;
    const progress = complete ? 1 : span > 0 ? Math.max(0, Math.min(1, (nowUs - r.pfStartUs - read.latencyUs) / span)) : 0;
    const fetched = Math.floor(progress * r.pfBlocks);
    const bytesPerBlock = this.B * this.dep.kvBytesPerTokenPerReplica;
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

  /** When idle with requests held back by their prefetch policy, wake up when one may proceed. */
  private armPrefetchWake(nowUs: number): void {
    if (!this.tiers.l3) return;
    const kv = this.dep.kvCache;
    let at = Infinity;
    for (const r of this.waiting) {
      if (r.pfBlocks === 0) continue;
      let t = r.pfEndUs;
      if (kv.prefetchPolicy === "timeout") {
        const timeoutUs = (kv.prefetchTimeoutBaseS + ((r.pfBlocks * this.B) / 1024) * kv.prefetchTimeoutPerKiTokenS) * 1e6;
        t = Math.min(t, r.arrivalUs + timeoutUs + 1);
      }
      if (t < at) at = t;
    }
    if (at < Infinity && at < this.wakeAtUs) {
      this.wakeAtUs = Math.max(at, nowUs + 1);
      this.host.scheduleWake(this.id, this.wakeAtUs);
    }
  }

  // ---------------------------------------------------------------- SGLang

  /**
   * SGLang get_next_batch_to_run: a prefill batch when PrefillAdder admits anything (the chunked
   * request first), otherwise a decode step of the whole running batch.
   */
  private formSglangBatch(nowUs: number): boolean {
    const e = this.dep.engine;
    const b = this.batch;
    const page = Math.max(1, e.pageSize);
    if (this.chunked || (this.waiting.length > 0 && this.running.length < e.maxRunningRequests)) {
      let reserved = 0;
      for (const r of this.running) reserved += Math.min(r.outputTokens - r.out, CLIP_MAX_NEW_TOKENS) * this.newTokenRatio;
      let remTotal = this.availableTokens() - reserved;
      let remInput = e.maxPrefillTokens;
      let remChunk = e.chunkedPrefillSize;
      const c = this.chunked;
      if (c) {
        const left = c.fillTarget - c.filled;
        const n = left <= remChunk ? left : Math.floor(remChunk / page) * page;
        if (n > 0 && this.ensureFree(n)) {
          c.stepTokens = n;
          this.alloc(c, n);
          b.push(c);
          remChunk -= n;
          remInput -= n;
          remTotal -= n;
        }
      }
      if (e.schedulePolicy === "lpm" && this.waiting.length <= 128) this.sortLpm();
      let admitted = 0;
      for (let i = 0; i < this.waiting.length; ) {
        if (remTotal <= 0 || remInput <= 0 || remChunk <= 0) break;
        if (this.running.length + b.length >= e.maxRunningRequests) break;
        const r = this.waiting[i];
        if (!this.prefetchReady(r, nowUs)) {
          i++;
          continue;
        }
        const extend = r.fillTarget - this.peekPrefix(r);
        const total = extend + Math.min(r.outputTokens - r.out, CLIP_MAX_NEW_TOKENS);
        const fresh = Math.ceil((extend - this.peekL2 * this.B) / page) * page;
        if (total >= remTotal || (fresh >= remInput && admitted > 0)) break;
        let n = extend;
        if (n > remChunk) {
          n = Math.floor(remChunk / page) * page;
          if (n <= 0) break;
        }
        const prefix = this.lockPrefix(r);
        n = Math.min(n, r.fillTarget - prefix);
        // One chunked request at a time: a chunked request whose next chunk found no memory this step
        // keeps its slot (starting another would orphan it and its KV).
        if ((c !== null && c.stepTokens === 0 && prefix + n < r.fillTarget) || !this.ensureFree(n)) {
          this.unadmit(r);
          break;
        }
        this.waiting.splice(i, 1);
        r.stepTokens = n;
        this.alloc(r, n);
        b.push(r);
        admitted++;
        const whole = prefix + n >= r.fillTarget;
        remTotal -= n + (whole ? Math.min(r.outputTokens - r.out, CLIP_MAX_NEW_TOKENS) : 0);
        remInput -= n;
        remChunk -= n;
        if (!whole) {
          this.chunked = r;
          break;
        }
      }
      if (b.length > 0) {
        this.stats.prefillSteps++;
        return true;
      }
    }
    if (this.running.length === 0) return false;
    // Decode: one new token per running request; retract on memory shortage.
    let need = this.running.length;
    if (this.availableTokens() < need) this.retractSglang(need);
    if (this.availableTokens() < this.running.length && this.chunked) {
      // The half-prefilled request holds KV the last running request needs: give it back too
      // (it restarts its prefill later) rather than stall decoding forever.
      const c = this.chunked;
      this.chunked = null;
      this.retract(c);
      this.waiting.unshift(c);
    }
    need = this.running.length;
    if (need === 0) return this.waiting.length > 0 ? this.formSglangBatch(nowUs) : false;
    if (!this.ensureFree(need)) throw new InvariantError(`replica ${this.id}: cannot fit ${need} decode tokens after retraction`);
    for (const r of this.running) {
      r.stepTokens = 1;
      this.alloc(r, 1);
      b.push(r);
    }
    this.newTokenRatio = Math.max(this.minNewTokenRatio, this.newTokenRatio - this.newTokenRatioDecay);
    return true;
  }

  /** Releases the prefix lock taken by admitPrefix for a request that stays waiting. */
  private unadmit(r: Req): void {
    if (r.lockNode > 0) this.cache.unlock(r.lockNode);
    r.lockNode = 0;
    r.treeBlocks = 0;
    r.filled = 0;
  }

  /** LPM: longest cached prefix first; ties keep arrival order (stable sort). */
  private sortLpm(): void {
    const ids = this.table.hashIds;
    const keyed = this.waiting.map((r, i) => {
      const m = this.cache.match(ids, r.hashStart, this.maxHitBlocks(r), this.match);
      return { r, i, k: m.l1Blocks + m.l2Blocks };
    });
    keyed.sort((a, b) => b.k - a.k || a.i - b.i);
    for (let i = 0; i < keyed.length; i++) this.waiting[i] = keyed[i].r;
  }

  /**
   * SGLang retract_decode: keep the requests with the most output, retract the rest (their KV is
   * freed and recomputed later) until the next decode step fits; then re-estimate new_token_ratio.
   */
  private retractSglang(need: number): void {
    const run = this.running;
    run.sort((a, b) => b.out - a.out || a.inputTokens - b.inputTokens || a.idx - b.idx);
    while (run.length > 1 && this.availableTokens() < need) {
      const r = run.pop()!;
      this.retract(r);
      need--;
      this.waiting.push(r);
    }
    let decoded = 0;
    let maxNew = 0;
    for (const r of run) {
      decoded += r.out;
      maxNew += r.outputTokens;
    }
    this.newTokenRatio = Math.min(1, (decoded + RETRACT_DECODE_STEPS * run.length) / (maxNew + 1));
  }

  /** Frees a request's KV; it will recompute prompt + generated tokens when readmitted. */
  private retract(r: Req): void {
    this.stats.retractions++;
    if (r.lockNode > 0) this.cache.unlock(r.lockNode);
    r.lockNode = 0;
    r.treeBlocks = 0;
    this.privateTokens -= r.privateTokens;
    r.privateTokens = 0;
    r.phase = ReqPhase.Waiting;
    r.fillTarget = r.inputTokens + r.out;
    r.filled = 0;
    r.stepTokens = 0;
  }

  // ---------------------------------------------------------------- vLLM

  /**
   * vLLM V1 scheduler: running requests first (decodes and unfinished prefills) within the token
   * budget, preempting the newest running request by recompute when blocks run out; then waiting
   * requests while budget and max_num_seqs allow. Prefill and decode share one step.
   */
  private formVllmBatch(nowUs: number): boolean {
    const e = this.dep.engine;
    const b = this.batch;
    let budget = e.chunkedPrefillSize;
    const run = this.running;
    for (let i = 0; i < run.length && budget > 0; ) {
      const r = run[i];
      const n = r.filled < r.fillTarget ? Math.min(r.fillTarget - r.filled, budget) : 1;
      let ok = this.ensureFree(n);
      while (!ok && run.length > i + 1) {
        const victim = run.pop()!;
        this.retract(victim);
        this.waiting.unshift(victim);
        ok = this.ensureFree(n);
      }
      if (!ok) {
        // r itself is the newest: preempt it and stop.
        run.splice(i, 1);
        this.retract(r);
        this.waiting.unshift(r);
        break;
      }
      r.stepTokens = n;
      this.alloc(r, n);
      b.push(r);
      budget -= n;
      i++;
    }
    for (let i = 0; i < this.waiting.length && budget > 0 && run.length < e.maxRunningRequests; ) {
      const r = this.waiting[i];
      if (!this.prefetchReady(r, nowUs)) {
        i++;
        continue;
      }
      this.peekPrefix(r);
      const prefix = this.lockPrefix(r);
      const n = Math.min(r.fillTarget - prefix, budget);
      if (!this.ensureFree(n)) {
        this.unadmit(r);
        break;
      }
      this.waiting.splice(i, 1);
      r.phase = ReqPhase.Running;
      run.push(r);
      r.stepTokens = n;
      this.alloc(r, n);
      b.push(r);
      budget -= n;
    }
    if (b.length > 0 && this.summaryHasPrefill()) this.stats.prefillSteps++;
    return b.length > 0;
  }

  private summaryHasPrefill(): boolean {
    for (const r of this.batch) if (r.filled < r.fillTarget) return true;
    return false;
  }

  /** Invariant checks for tests: KV accounting and capacities. */
  checkInvariants(): void {
    this.cache.checkInvariants();
    if (this.privateTokens < 0) throw new InvariantError(`replica ${this.id}: negative private tokens`);
    if (this.cache.l1Blocks * this.B + this.privateTokens > this.l1CapacityTokens) {
      throw new InvariantError(
        `replica ${this.id}: KV over capacity (${this.cache.l1Blocks * this.B} cached + ${this.privateTokens} private > ${this.l1CapacityTokens})`,
      );
    }
    const holders = new Set<Req>([...this.running, ...this.waiting, ...this.batch]);
    if (this.chunked) holders.add(this.chunked);
    let sum = 0;
    for (const r of holders) sum += r.privateTokens;
    if (sum !== this.privateTokens) throw new InvariantError(`replica ${this.id}: private tokens drifted (${sum} vs ${this.privateTokens})`);
  }
}
