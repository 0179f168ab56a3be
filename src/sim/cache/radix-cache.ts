/**
 * The replica's prefix cache: a radix tree of KV blocks keyed by prefix-chained block ids, with
 * HiCache's two in-node tiers, L1 (GPU) and L2 (host). A node exists while it is in L1, L2 or both.
 *
 * Eviction is leaf-only and never touches locked nodes. Recency is a counter, and every touch walks
 * from the deepest node up to the root, so a parent is always more recent than any of its children:
 * the least recently used unlocked node of a tier is almost always a leaf of that tier, and an
 * intrusive LRU list (tier-lists.ts) gives O(1) eviction (a node re-listed after a lock without a
 * touch can sit behind its parent: eviction skips inner nodes to the oldest leaf). LFU uses a lazily
 * validated heap keyed by (hits, recency). `match` remembers its last answer (match-memo.ts).
 */
import { InvariantError } from "../../errors.js";
import { Int32IndexMap } from "../util/int-index-map.js";
import { PairMinHeap } from "../util/pair-min-heap.js";
import { MatchMemo, type MatchResult } from "./match-memo.js";
import { LIST_L1, LIST_L2, LIST_NONE, TierLists } from "./tier-lists.js";

const IN_L1 = 1;
const IN_L2 = 2;


export type EvictionPolicy = "lru" | "lfu";

/** Result of an L1 eviction pass. */
export interface L1EvictResult {
  /** Blocks whose GPU copy was freed. */
  freedBlocks: number;
  /** Blocks copied to L2 on the way out (write_back); the caller charges the copy time. */
  writtenBackBlocks: number;
}

export interface RadixCacheOptions {
  blockSize: number;
  l1CapacityBlocks: number;
  /** 0 = no L2 tier. */
  l2CapacityBlocks: number;
  evictionPolicy: EvictionPolicy;
  /** Copy a non-backed L1 leaf to L2 before freeing it (HiCache write_back). */
  writeBackOnEvict: boolean;
  /** Remember the last match (default true; tests turn it off to compare). See `RadixCache.version`. */
  memoizeMatch?: boolean;
}

export class RadixCache {
  readonly blockSize: number;
  readonly l1CapacityBlocks: number;
  readonly l2CapacityBlocks: number;
  private readonly lfu: boolean;
  private readonly writeBackOnEvict: boolean;
  private readonly memoizeMatch: boolean;

  // Node storage (struct of arrays); node 0 is the root.
  private cap = 1024;
  private blockId = new Int32Array(this.cap);
  private parent = new Int32Array(this.cap);
  private childCount = new Int32Array(this.cap);
  private l1ChildCount = new Int32Array(this.cap);
  private flags = new Uint8Array(this.cap);
  private lockRef = new Int32Array(this.cap);
  private hostRef = new Int32Array(this.cap);
  private hits = new Int32Array(this.cap);
  private stamp = new Float64Array(this.cap);
  /** The eviction list each node is on (LIST_*), and the lists themselves (tier-lists.ts). */
  private list = new Uint8Array(this.cap);
  private readonly lists = new TierLists(this.cap);
  private freeNodes: number[] = [];
  private nodeCount = 1;
  /** Block id -> node (typed-array hash map: the hot path looks up every block of every prompt). */
  private readonly index = new Int32IndexMap(1024);
  private clock = 0;
  /** Bumped by whatever can change a remembered match (match-memo.ts). */
  private version = 0;
  private readonly memo = new MatchMemo();

  /** LFU: lazy min-heap of candidate nodes keyed by (hits, stamp); entries validated on pop. */
  private readonly lfuHeap = new PairMinHeap();

  /** Blocks resident in L1 / L2 (a node in both counts in both). */
  l1Blocks = 0;
  l2Blocks = 0;
  /** Blocks of L1 nodes that are locked (in use by running requests or in-flight copies). */
  private l1LockedBlocks = 0;
  evictionsL1 = 0;
  evictionsL2 = 0;

  constructor(opts: RadixCacheOptions) {
    this.blockSize = opts.blockSize;
    this.l1CapacityBlocks = opts.l1CapacityBlocks;
    this.l2CapacityBlocks = opts.l2CapacityBlocks;
    this.lfu = opts.evictionPolicy === "lfu";
    this.writeBackOnEvict = opts.writeBackOnEvict;
    this.memoizeMatch = opts.memoizeMatch ?? true;
    this.parent[0] = -1;
    this.blockId[0] = -1;
    this.lockRef[0] = 1; // the root is never evicted
  }

  /** L1 blocks that could be freed by eviction right now. */
  get l1EvictableBlocks(): number {
    return this.l1Blocks - this.l1LockedBlocks;
  }

  /** L2 blocks promised to in-flight prefetches but not inserted yet. */
  l2ReservedBlocks = 0;

  /** Free L2 blocks (capacity minus resident and reserved). */
  get l2FreeBlocks(): number {
    return this.l2CapacityBlocks - this.l2Blocks - this.l2ReservedBlocks;
  }

  /** Number of nodes (blocks) in the tree, for invariant checks. */
  get size(): number {
    return this.index.size;
  }

  /**
   * Matches the leading blocks `ids[from, from+count)` and touches the matched path.
   * L1 blocks come first; then the host-only blocks that continue the prefix.
   */
  match(ids: Int32Array, from: number, count: number, out: MatchResult): MatchResult {
    if (this.memoizeMatch && this.memo.recall(this.version, ids, from, count, out)) return out;
    let node = 0;
    let l1 = 0;
    let l2 = 0;
    let l1Node = 0;
    let stop = -1;
    let looked = 0;
    for (let i = 0; i < count; i++) {
      looked++;
      const n = this.index.get(ids[from + i]);
      if (n < 0) break;
      if ((this.flags[n] & IN_L1) !== 0 && l2 === 0) {
        l1++;
        l1Node = n;
      } else if ((this.flags[n] & IN_L2) !== 0) {
        l2++;
      } else {
        stop = n;
        break;
      }
      node = n;
    }
    out.l1Blocks = l1;
    out.l2Blocks = l2;
    out.l1Node = l1Node;
    out.lastNode = node;
    const floor = this.clock;
    if (node !== 0) this.touchPath(node, false);
    this.memo.remember(this.version, floor, stop, ids, from, looked, count, out);
    return out;
  }

  /** Looks a block up without touching it. */
  has(id: number): boolean {
    return this.index.get(id) >= 0;
  }

  /** Deepest node of the first `count` blocks of ids that exist in the tree (any tier), or 0. */
  nodeOf(id: number): number {
    const n = this.index.get(id);
    return n < 0 ? 0 : n;
  }

  isInL1(node: number): boolean {
    return (this.flags[node] & IN_L1) !== 0;
  }
  isInL2(node: number): boolean {
    return (this.flags[node] & IN_L2) !== 0;
  }
  hitCount(node: number): number {
    return this.hits[node];
  }
  parentOf(node: number): number {
    return this.parent[node];
  }
  blockOf(node: number): number {
    return this.blockId[node];
  }
  isLocked(node: number): boolean {
    return this.lockRef[node] > 0;
  }

  /** Pins `node` and its ancestors in L1 (a running request uses them). */
  lock(node: number): void {
    for (let n = node; n > 0; n = this.parent[n]) {
      if (this.lockRef[n]++ === 0) {
        this.unlist(n);
        if ((this.flags[n] & IN_L1) !== 0) this.l1LockedBlocks++;
      }
    }
  }

  /** Releases a lock taken by `lock(node)`. */
  unlock(node: number): void {
    for (let n = node; n > 0; n = this.parent[n]) {
      if (this.lockRef[n] <= 0) throw new InvariantError(`unlock of unlocked node ${n}`);
      if (--this.lockRef[n] === 0) {
        if ((this.flags[n] & IN_L1) !== 0) this.l1LockedBlocks--;
        this.relist(n);
      }
    }
  }

  /**
   * `lock(node)` then `unlock(old)` (either may be 0 = none), moving a request's pin deeper. When
   * `old` is an ancestor of `node` the shared part would go up and back down without reaching zero,
   * so only the nodes below `old` are locked: the same transitions in the same order, without
   * walking the shared prefix twice.
   */
  relock(node: number, old: number): void {
    let n = node;
    for (; n > 0 && n !== old; n = this.parent[n]) {
      if (this.lockRef[n]++ === 0) {
        this.unlist(n);
        if ((this.flags[n] & IN_L1) !== 0) this.l1LockedBlocks++;
      }
    }
    if (n !== old && old > 0) this.unlock(old);
  }

  /** Pins a host-resident node against L2 eviction (prefetch or backup in flight). */
  hostLock(node: number): void {
    if (this.hostRef[node]++ === 0) this.unlist(node);
  }
  hostUnlock(node: number): void {
    if (this.hostRef[node] <= 0) throw new InvariantError(`host unlock of node ${node}`);
    if (--this.hostRef[node] === 0) this.relist(node);
  }

  /**
   * Inserts blocks `ids[from, from+count)` into L1 as a continuation of the tree (the caller holds the
   * GPU memory for them). Existing L1 blocks are duplicates (the caller's copy is freed); host-only
   * nodes regain their L1 copy. Increments hit counts (SGLang _inc_hit_count) of blocks from
   * position `hitFrom` on (intermediate chunk inserts count none) and touches the path.
   * `knownNode`/`knownBlocks` (optional): a node the caller holds locked and how many leading blocks
   * it ends. When its ancestor chain spells exactly `ids[from, from+knownBlocks)` in L1, the walk
   * starts below it (the lookups of that prefix would find exactly those nodes and change nothing
   * but their hit counts); otherwise the full walk runs. Same result either way.
   * @returns the deepest node; `newL1` receives how many blocks became L1-resident.
   */
  insertL1(
    ids: Int32Array, from: number, count: number, newL1: { blocks: number }, hitFrom = 0, knownNode = 0, knownBlocks = 0,
  ): number {
    let node = 0;
    let added = 0;
    let start = 0;
    if (knownBlocks > 0 && knownBlocks <= count && this.claimPrefix(knownNode, ids, from, knownBlocks, hitFrom)) {
      node = knownNode;
      start = knownBlocks;
    }
    for (let i = start; i < count; i++) {
      const id = ids[from + i];
      let n = this.index.get(id);
      if (n < 0) {
        n = this.createNode(id, node);
        this.setL1(n, true);
        added++;
      } else if ((this.flags[n] & IN_L1) === 0) {
        this.setL1(n, true);
        added++;
      }
      if (i >= hitFrom) this.hits[n]++;
      node = n;
    }
    newL1.blocks = added;
    if (node !== 0) this.touchPath(node, true);
    return node;
  }

  /**
   * When `node` and its ancestors are L1 nodes of blocks `ids[from, from+blocks)` (node deepest),
   * counts the hits of those at positions >= `hitFrom` and returns true; otherwise changes nothing.
   */
  private claimPrefix(node: number, ids: Int32Array, from: number, blocks: number, hitFrom: number): boolean {
    let n = node;
    let i = blocks - 1;
    for (; i >= 0; i--) {
      if (n <= 0 || this.blockId[n] !== ids[from + i] || (this.flags[n] & IN_L1) === 0) break;
      if (i >= hitFrom) this.hits[n]++;
      n = this.parent[n];
    }
    if (i < 0) return true;
    for (let j = blocks - 1, m = node; j > i; j--, m = this.parent[m]) if (j >= hitFrom) this.hits[m]--;
    return false;
  }

  /**
   * Inserts blocks fetched from L3 as host-only nodes continuing the prefix `ids[base, from)`.
   * The caller has already reserved the L2 space (`reserveL2`). Stops at the first block that
   * already exists. @returns the number of new host-only blocks.
   */
  insertL2(ids: Int32Array, base: number, from: number, count: number): number {
    let node = from > base ? this.index.get(ids[from - 1]) : 0;
    if (node < 0 || (node > 0 && (this.flags[node] & IN_L2) === 0)) return 0;
    let added = 0;
    for (let i = 0; i < count; i++) {
      const id = ids[from + i];
      let n = this.index.get(id);
      if (n < 0) {
        n = this.createNode(id, node);
        this.flags[n] = IN_L2; // a new node: createNode invalidated the memo
        this.l2Blocks++;
        added++;
        this.relist(n);
      } else if ((this.flags[n] & IN_L2) === 0) {
        this.tierChanged(n);
        this.flags[n] |= IN_L2;
        this.l2Blocks++;
        added++;
      }
      node = n;
    }
    if (node !== 0) this.touchPath(node, true);
    return added;
  }

  /** Marks an L1 node as backed up in L2 (its host copy landed). The caller reserved the space. */
  markBackedUp(node: number): boolean {
    if ((this.flags[node] & IN_L2) !== 0) return true;
    // A host copy needs its parent's: host-only nodes must always continue a host-backed prefix.
    const p = this.parent[node];
    if (p > 0 && (this.flags[p] & IN_L2) === 0) return false;
    if (this.blockId[node] < 0 || this.index.get(this.blockId[node]) !== node) return false;
    this.tierChanged(node);
    this.flags[node] |= IN_L2;
    this.l2Blocks++;
    return true;
  }

  /** Makes room for `blocks` in L2 by evicting host-only leaves; false if it cannot. */
  reserveL2(blocks: number): boolean {
    if (this.l2CapacityBlocks <= 0) return false;
    const need = this.l2Blocks + this.l2ReservedBlocks + blocks - this.l2CapacityBlocks;
    if (need > 0 && this.evictL2(need) < need) return false;
    return true;
  }

  /** Holds `blocks` of L2 for a prefetch in flight (evicting host-only leaves); false if impossible. */
  holdL2(blocks: number): boolean {
    if (!this.reserveL2(blocks)) return false;
    this.l2ReservedBlocks += blocks;
    return true;
  }

  /** Returns a hold taken by `holdL2` (before inserting what actually arrived). */
  releaseL2(blocks: number): void {
    this.l2ReservedBlocks -= blocks;
    if (this.l2ReservedBlocks < 0) throw new InvariantError("L2 reservation went negative");
  }

  /**
   * Frees at least `blocks` L1 blocks from unlocked leaves (least valuable first). Backed-up nodes
   * keep their host copy; others are deleted, or with write_back first copied to L2 if it has room.
   */
  evictL1(blocks: number, out: L1EvictResult): L1EvictResult {
    out.freedBlocks = 0;
    out.writtenBackBlocks = 0;
    let skipped = 0;
    while (out.freedBlocks < blocks) {
      const n = this.lfu ? this.popLfuL1() : this.oldestL1Leaf();
      if (n < 0) break;
      if (this.l1ChildCount[n] !== 0 || this.lockRef[n] !== 0) {
        throw new InvariantError(`LRU head ${n} is not an unlocked L1 leaf`);
      }
      if ((this.flags[n] & IN_L2) === 0 && this.writeBackOnEvict && this.reserveL2(1)) {
        this.tierChanged(n);
        this.flags[n] |= IN_L2;
        this.l2Blocks++;
        out.writtenBackBlocks++;
      }
      if ((this.flags[n] & IN_L2) === 0 && this.childCount[n] > 0) {
        // Host-only children but no host copy of this node (write_back with L2 pinned full):
        // deleting it would orphan them, so keep it and try the next candidate.
        this.unlist(n);
        this.append(n, LIST_L1);
        if (++skipped > this.l1Blocks) break;
        continue;
      }
      this.unlist(n);
      this.setL1(n, false);
      out.freedBlocks++;
      this.evictionsL1++;
      if ((this.flags[n] & IN_L2) === 0) this.deleteNode(n);
      else this.relist(n);
    }
    return out;
  }

  /** Deletes up to `blocks` host-only leaves; returns how many were freed. */
  evictL2(blocks: number): number {
    let freed = 0;
    while (freed < blocks) {
      const n = this.oldestL2Leaf();
      if (n < 0) break;
      this.unlist(n);
      this.tierChanged(n);
      this.flags[n] &= ~IN_L2;
      this.l2Blocks--;
      this.deleteNode(n);
      freed++;
      this.evictionsL2++;
    }
    return freed;
  }

  /** Checks every structural invariant (tests and debug runs). */
  checkInvariants(): void {
    let l1 = 0, l2 = 0, locked = 0;
    let live = 0;
    for (let n = 1; n < this.nodeCount; n++) {
      // Live nodes are the ones the index points to (a freed slot keeps its stale block id).
      if (this.blockId[n] < 0 || this.index.get(this.blockId[n]) !== n) continue;
      live++;
      const f = this.flags[n];
      if ((f & (IN_L1 | IN_L2)) === 0) throw new InvariantError(`node ${n} in no tier`);
      if (f & IN_L1) {
        l1++;
        if (this.lockRef[n] > 0) locked++;
        const p = this.parent[n];
        if (p > 0 && (this.flags[p] & IN_L1) === 0) throw new InvariantError(`L1 node ${n} under non-L1 parent ${p}`);
      }
      if (f & IN_L2) {
        l2++;
        const q = this.parent[n];
        if (q > 0 && this.index.get(this.blockId[q]) !== q) throw new InvariantError(`node ${n} has a deleted parent ${q}`);
      }
      const p = this.parent[n];
      if (p > 0 && this.stamp[p] < this.stamp[n]) throw new InvariantError(`parent ${p} older than child ${n}`);
      if (p > 0 && this.lockRef[n] > this.lockRef[p]) throw new InvariantError(`child ${n} locked more than parent ${p}`);
    }
    if (live !== this.index.size) throw new InvariantError(`index holds ${this.index.size} ids for ${live} live nodes`);
    if (l1 !== this.l1Blocks || l2 !== this.l2Blocks || locked !== this.l1LockedBlocks) {
      throw new InvariantError(`tier counts drifted: l1 ${l1}/${this.l1Blocks} l2 ${l2}/${this.l2Blocks} locked ${locked}/${this.l1LockedBlocks}`);
    }
    if (this.l1Blocks > this.l1CapacityBlocks) throw new InvariantError(`L1 over capacity: ${this.l1Blocks} > ${this.l1CapacityBlocks}`);
    if (this.l2CapacityBlocks > 0 && this.l2Blocks + this.l2ReservedBlocks > this.l2CapacityBlocks) {
      throw new InvariantError(`L2 over capacity: ${this.l2Blocks} > ${this.l2CapacityBlocks}`);
    }
  }

  // ---- internals ----

  /** `n` changes tier or is deleted: forget the remembered match if `n` is on its path or stopped it. */
  private tierChanged(n: number): void {
    if (this.memo.onPath(n, this.stamp[n])) this.version++;
  }

  private createNode(id: number, parent: number): number {
    this.version++;
    let n = this.freeNodes.pop();
    if (n === undefined) {
      if (this.nodeCount === this.cap) this.grow();
      n = this.nodeCount++;
    }
    this.blockId[n] = id;
    this.parent[n] = parent;
    this.childCount[n] = 0;
    this.l1ChildCount[n] = 0;
    this.flags[n] = 0;
    this.lockRef[n] = 0;
    this.hostRef[n] = 0;
    this.hits[n] = 0;
    this.stamp[n] = ++this.clock;
    this.list[n] = LIST_NONE;
    this.childCount[parent]++;
    this.index.set(id, n);
    return n;
  }

  private deleteNode(n: number): void {
    this.tierChanged(n);
    const p = this.parent[n];
    this.childCount[p]--;
    this.index.delete(this.blockId[n]);
    this.flags[n] = 0;
    this.freeNodes.push(n);
  }

  private setL1(n: number, on: boolean): void {
    this.tierChanged(n);
    const p = this.parent[n];
    if (on) {
      this.flags[n] |= IN_L1;
      this.l1Blocks++;
      if (this.lockRef[n] > 0) this.l1LockedBlocks++;
      this.l1ChildCount[p]++;
      if (this.list[n] === LIST_L2) this.unlist(n);
      this.relist(n);
    } else {
      this.flags[n] &= ~IN_L1;
      this.l1Blocks--;
      this.l1ChildCount[p]--;
      if (this.lfu && p > 0 && this.l1ChildCount[p] === 0 && this.list[p] === LIST_L1) this.pushHeap(p);
    }
  }

  /** Touches `node` and its ancestors, deepest first, so parents end up more recent than children. */
  private touchPath(node: number, _insert: boolean): void {
    this.version++;
    for (let n = node; n > 0; n = this.parent[n]) {
      this.stamp[n] = ++this.clock;
      // To the recent end of its list (the version was bumped above); an LFU heap entry with the
      // old stamp is refreshed lazily on pop.
      const l = this.list[n];
      if (l !== LIST_NONE && !this.lists.isLast(n)) {
        this.lists.remove(n, l);
        this.lists.append(n, l);
      }
    }
  }

  /**
   * Least recently listed L1 node without L1 children. Usually the list head; a node re-listed after
   * a host lock (prefetch, load-back) lands at the recent end behind its parent, so the head can be
   * an inner node: SGLang evicts the least recent *leaf*, so skip such nodes.
   */
  private oldestL1Leaf(): number {
    let n = this.lists.head(LIST_L1);
    while (n >= 0 && this.l1ChildCount[n] !== 0) n = this.lists.after(n);
    return n;
  }

  /** Least recently listed host-only leaf (see oldestL1Leaf). */
  private oldestL2Leaf(): number {
    let n = this.lists.head(LIST_L2);
    while (n >= 0 && this.childCount[n] !== 0) n = this.lists.after(n);
    return n;
  }

  /** Puts an unlocked node on the list of its tier (at the most-recent end). */
  private relist(n: number): void {
    if (this.list[n] !== LIST_NONE || this.lockRef[n] > 0) return;
    const f = this.flags[n];
    if (f & IN_L1) {
      this.append(n, LIST_L1);
      if (this.lfu && this.l1ChildCount[n] === 0) this.pushHeap(n);
    } else if (f & IN_L2 && this.hostRef[n] === 0) {
      this.append(n, LIST_L2);
    }
  }

  private append(n: number, which: number): void {
    this.version++;
    this.list[n] = which;
    this.lists.append(n, which);
  }

  private unlist(n: number): void {
    const which = this.list[n];
    if (which === LIST_NONE) return;
    this.lists.remove(n, which);
    this.list[n] = LIST_NONE;
  }

  private pushHeap(n: number): void {
    this.version++;
    this.lfuHeap.push(this.hits[n], this.stamp[n], n);
  }

  /** Least-frequently used unlocked L1 leaf; entries whose key went stale are re-pushed or dropped. */
  private popLfuL1(): number {
    const heap = this.lfuHeap;
    while (heap.size > 0) {
      const n = heap.top;
      const h = heap.topA;
      const s = heap.topB;
      heap.pop();
      const valid = this.list[n] === LIST_L1 && this.l1ChildCount[n] === 0 && this.lockRef[n] === 0;
      if (!valid) continue;
      if (this.hits[n] !== h || this.stamp[n] !== s) {
        this.pushHeap(n);
        continue;
      }
      return n;
    }
    return -1;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const g = <T extends Int32Array | Uint8Array | Float64Array>(a: T, C: new (n: number) => T): T => {
      const b = new C(cap);
      b.set(a);
      return b;
    };
    this.blockId = g(this.blockId, Int32Array);
    this.parent = g(this.parent, Int32Array);
    this.childCount = g(this.childCount, Int32Array);
    this.l1ChildCount = g(this.l1ChildCount, Int32Array);
    this.flags = g(this.flags, Uint8Array);
    this.lockRef = g(this.lockRef, Int32Array);
    this.hostRef = g(this.hostRef, Int32Array);
    this.hits = g(this.hits, Int32Array);
    this.stamp = g(this.stamp, Float64Array);
    this.list = g(this.list, Uint8Array);
    this.lists.grow(cap);
    this.cap = cap;
  }
}
