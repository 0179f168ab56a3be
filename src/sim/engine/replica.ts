/**
 * One inference-engine replica, driven by the cluster's event loop through `arrive`, `onStepDone`,
 * `onIoDone` and `onWake`, reporting back through `ReplicaHost`. It owns the step loop: ask the
 * scheduler for a batch, time it with the batch latency estimator (plus the layer-wise overlap of
 * HiCache load-back and the write-back stall), and when it ends apply it: prefill progress, token
 * emission, completion.
 *
 * The parts, as SGLang splits them: the scheduler (`sglang/` prefill-first with chunked prefill and
 * PrefillAdder admission, or `vllm/` decode-first token budget) decides what runs; the KV pool
 * (`kv-pool.ts`) accounts GPU KV tokens; `prefix-cache.ts` is the request-facing radix tree
 * (match, lock, commit); `../cache/hicache-controller.ts` moves KV between GPU, host and storage;
 * `front-end.ts` is the server process in front of the scheduler: a request reaches the scheduler
 * once tokenized, and the host hears of a token when the front end has streamed it.
 */
import { InvariantError } from "../../errors.js";
import { HiCacheController, L2_LINK_EFFICIENCY, type HiCacheTiers } from "../cache/hicache-controller.js";
import type { L3Store } from "../cache/l3-store.js";
import { RadixCache } from "../cache/radix-cache.js";
import type { ResolvedDeployment } from "../deployment/resolve.js";
import type { BatchSummary, StepEstimator } from "../estimator/types.js";
import { newBatchSummary } from "../estimator/types.js";
import type { RequestTable } from "../workload/request-table.js";
import { FrontEnd } from "./front-end.js";
import { KvPool } from "./kv-pool.js";
import { PrefixCache } from "./prefix-cache.js";
import { newReplicaStats, type ReplicaStats } from "./replica-stats.js";
import { Req, ReqPhase, ReqPool } from "./request.js";
import { SchedulerQueues, type Scheduler, type SchedulerContext } from "./scheduler.js";
import { SglangScheduler } from "./sglang/scheduler.js";
import { VllmScheduler } from "./vllm/scheduler.js";

export type { ReplicaStats } from "./replica-stats.js";
/** Tier channels and stores a replica uses; L3 ones may be shared by the whole cluster. */
export type ReplicaTiers = HiCacheTiers;

/** What the replica needs from the cluster that drives it. */
export interface ReplicaHost {
  scheduleStepDone(replica: number, atUs: number): void;
  scheduleWake(replica: number, atUs: number): void;
  scheduleIo(replica: number, atUs: number, opId: number): void;
  /** A request emitted its first token. */
  onFirstToken(req: Req, timeUs: number): void;
  /** A request emitted a token `gapUs` after its previous one. */
  onInterToken(gapUs: number): void;
  /** A request finished; the replica releases `req` right after this returns. */
  onFinish(req: Req, timeUs: number): void;
  /** A request could never fit this replica's KV pool and was rejected. */
  onReject(req: Req, timeUs: number): void;
}

export class Replica {
  readonly stats: ReplicaStats = newReplicaStats();
  readonly cache: RadixCache;
  /** Tokens the GPU KV pool holds. */
  readonly l1CapacityTokens: number;
  private readonly kv: KvPool;
  private readonly prefix: PrefixCache;
  private readonly hicache: HiCacheController;
  private readonly queues = new SchedulerQueues();
  private readonly scheduler: Scheduler;
  private readonly frontEnd: FrontEnd;
  /** Requests being tokenized, in the order they reach the scheduler (at `readyUs`). */
  private readonly intake: Req[] = [];
  private intakeHead = 0;

  private busy = false;
  private stepStartUs = 0;
  private wakeAtUs = Infinity;
  private readonly summary: BatchSummary = newBatchSummary(4096);

  constructor(
    readonly id: number,
    readonly dep: ResolvedDeployment,
    table: RequestTable,
    private readonly estimator: StepEstimator,
    private readonly host: ReplicaHost,
    private readonly pool: ReqPool,
    private readonly tiers: ReplicaTiers,
  ) {
    const B = table.blockSize;
    this.l1CapacityTokens = dep.memory.kvPoolTokens;
    const kv = dep.kvCache;
    const bytesPerBlock = B * dep.kvBytesPerTokenPerReplica;
    this.cache = new RadixCache({
      blockSize: B,
      l1CapacityBlocks: Math.floor(this.l1CapacityTokens / B),
      l2CapacityBlocks: kv.l2 ? Math.floor((kv.l2.capacityGb * 1e9) / bytesPerBlock) : 0,
      evictionPolicy: kv.evictionPolicy,
      writeBackOnEvict: Boolean(kv.l2) && kv.writePolicy === "write_back",
    });
    this.kv = new KvPool(this.cache, dep, this.stats);
    this.hicache = new HiCacheController(id, dep, this.cache, table, tiers, this.kv, host, this.stats);
    this.prefix = new PrefixCache(this.cache, table, this.kv, this.hicache, this.stats, dep.engine.enablePrefixCaching);
    const ctx: SchedulerContext = {
      id, dep, table, queues: this.queues, cache: this.cache, kv: this.kv, prefix: this.prefix, hicache: this.hicache, stats: this.stats,
    };
    this.scheduler = dep.engine.kind === "sglang" ? new SglangScheduler(ctx) : new VllmScheduler(ctx);
    this.frontEnd = new FrontEnd(dep.engine.frontEnd);
  }

  // ---------------------------------------------------------------- public driving API

  /** This replica's L3 store (shared ones are the same object across replicas). */
  get l3Store(): L3Store | undefined {
    return this.tiers.l3;
  }

  /** Requests queued or running here (what a router's in-flight count would see). */
  get inFlight(): number {
    return this.queues.inFlight + this.intake.length - this.intakeHead;
  }

  /** SGLang `get_load`: KV tokens in use plus input tokens of queued requests. */
  loadTokens(): number {
    let q = 0;
    for (const r of this.queues.waiting) q += r.inputTokens;
    return this.kv.usedTokens() + q;
  }

  /** Free GPU KV tokens (not counting what eviction could free). */
  freeTokens(): number {
    return this.kv.freeTokens();
  }

  /** A request arrives at this replica's front end; it reaches the scheduler once tokenized. */
  arrive(r: Req, nowUs: number): void {
    r.fillTarget = r.inputTokens;
    if (r.inputTokens + r.outputTokens > this.l1CapacityTokens) {
      // Longer than the whole KV pool: the engine rejects it (SGLang aborts over-long inputs).
      this.host.onReject(r, nowUs);
      this.pool.give(r);
      return;
    }
    this.stats.inputTokens += r.inputTokens;
    r.readyUs = this.frontEnd.intake(nowUs, r.inputTokens);
    this.intake.push(r);
    if (r.readyUs > nowUs) this.host.scheduleWake(this.id, r.readyUs);
    else this.admitTokenized(nowUs);
  }

  onWake(nowUs: number): void {
    if (nowUs >= this.wakeAtUs) this.wakeAtUs = Infinity;
    this.admitTokenized(nowUs);
    if (!this.busy) this.tryStep(nowUs);
  }

  /** Requests the front end has tokenized by `nowUs` join the waiting queue (L3 prefetch starts then). */
  private admitTokenized(nowUs: number): void {
    const q = this.intake;
    let moved = false;
    while (this.intakeHead < q.length && q[this.intakeHead].readyUs <= nowUs) {
      const r = q[this.intakeHead++];
      if (this.tiers.l3) this.hicache.prefetchFromStorage(r, this.prefix.maxHitBlocks(r), nowUs);
      this.queues.waiting.push(r);
      moved = true;
    }
    if (this.intakeHead === q.length) {
      q.length = 0;
      this.intakeHead = 0;
    }
    if (moved && !this.busy) this.tryStep(nowUs);
  }

  onStepDone(nowUs: number): void {
    this.busy = false;
    this.stats.busyUs += nowUs - this.stepStartUs;
    const b = this.queues.batch;
    let tokens = 0;
    for (let i = 0; i < b.length; i++) if (b[i].filled + b[i].stepTokens >= b[i].fillTarget) tokens++;
    if (tokens > 0) this.frontEnd.beginStep(nowUs, tokens);
    for (let i = 0; i < b.length; i++) this.completeStepFor(b[i], nowUs);
    // Pop rather than `length = 0`, which releases the backing store that the next step regrows.
    while (b.length > 0) b.pop();
    this.tryStep(nowUs);
  }

  onIoDone(opId: number, nowUs: number): void {
    const backup = this.hicache.onIoDone(opId, nowUs);
    // The backup's lock is gone: an idle replica whose queue was blocked by it may run now (no other
    // event would wake it; with no arrival left it would stay idle forever).
    const q = this.queues;
    if (backup && !this.busy && (q.waiting.length > 0 || q.chunked !== null)) this.tryStep(nowUs);
  }

  // ---------------------------------------------------------------- step loop

  private tryStep(nowUs: number): void {
    if (this.busy) return;
    this.kv.writeBackStallUs = 0;
    this.hicache.loadBackBytesThisStep = 0;
    if (!this.scheduler.formBatch(nowUs)) {
      this.armPrefetchWake(nowUs);
      return;
    }
    const computeUs = this.estimator.stepUs(this.fillSummary());
    let stepUs = computeUs;
    const loadBackBytes = this.hicache.loadBackBytesThisStep;
    if (loadBackBytes > 0 && this.dep.kvCache.l2) {
      // Layer-wise overlap of the H2D load with compute (HiCache's LayerDoneCounter: layer i
      // computes once its KV has landed): only the first layer's load is exposed when loading is
      // faster than compute, the compute of one layer when it is slower.
      const l2 = this.dep.kvCache.l2;
      const L = this.dep.model.numLayers;
      const loadUs = L * l2.latencyUs + loadBackBytes / (l2.readGBps * 1e3 * L2_LINK_EFFICIENCY);
      stepUs = Math.max(computeUs, loadUs) + Math.min(computeUs, loadUs) / L;
    }
    stepUs += this.kv.writeBackStallUs;
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
    const b = this.queues.batch;
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
    const q = this.queues;
    if (r.filled < r.fillTarget) {
      r.filled += r.stepTokens;
      r.stepTokens = 0;
      const done = r.filled >= r.fillTarget;
      this.prefix.cacheUnfinishedReq(r, done, nowUs);
      if (!done) return; // still chunking
      this.emitToken(r, nowUs);
      if (r.out >= r.outputTokens) {
        this.finish(r, nowUs);
        return;
      }
      if (q.chunked === r) q.chunked = null;
      if (r.phase !== ReqPhase.Running) {
        r.phase = ReqPhase.Running;
        q.running.push(r);
      }
      return;
    }
    r.stepTokens = 0;
    this.emitToken(r, nowUs);
    if (r.out >= r.outputTokens) this.finish(r, nowUs);
  }

  /** A token of `r` left the GPU; the host hears of it when the front end has streamed it. */
  private emitToken(r: Req, _nowUs: number): void {
    const sentUs = this.frontEnd.nextDelivery();
    if (r.out === 0) {
      r.firstTokenUs = sentUs;
      this.host.onFirstToken(r, sentUs);
    } else {
      this.host.onInterToken(sentUs - r.lastTokenUs);
    }
    r.out++;
    r.lastTokenUs = sentUs;
  }

  private finish(r: Req, nowUs: number): void {
    const q = this.queues;
    const i = q.running.indexOf(r);
    if (i >= 0) q.running.splice(i, 1);
    if (q.chunked === r) q.chunked = null;
    this.prefix.cacheFinishedReq(r, nowUs);
    this.kv.free(r);
    this.stats.completed++;
    this.host.onFinish(r, r.lastTokenUs);
    this.pool.give(r);
  }

  /** When idle with requests held back by their prefetch policy, wake up when one may proceed. */
  private armPrefetchWake(nowUs: number): void {
    const at = this.hicache.prefetchWakeUs(this.queues.waiting);
    if (at < Infinity && at < this.wakeAtUs) {
      this.wakeAtUs = Math.max(at, nowUs + 1);
      this.host.scheduleWake(this.id, this.wakeAtUs);
    }
  }

  /** Invariant checks for tests: KV accounting and capacities. */
  checkInvariants(): void {
    this.cache.checkInvariants();
    const q = this.queues;
    const priv = this.kv.privateTokens;
    if (priv < 0) throw new InvariantError(`replica ${this.id}: negative private tokens`);
    if (this.cache.l1Blocks * this.cache.blockSize + priv > this.l1CapacityTokens) {
      throw new InvariantError(
        `replica ${this.id}: KV over capacity (${this.cache.l1Blocks * this.cache.blockSize} cached + ${priv} private > ${this.l1CapacityTokens})`,
      );
    }
    const holders = new Set<Req>([...q.running, ...q.waiting, ...q.batch]);
    if (q.chunked) holders.add(q.chunked);
    let sum = 0;
    for (const r of holders) sum += r.privateTokens;
    if (sum !== priv) throw new InvariantError(`replica ${this.id}: private tokens drifted (${sum} vs ${priv})`);
  }
}
