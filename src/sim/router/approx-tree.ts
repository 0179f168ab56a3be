/**
 * The cache_aware router's approximate radix tree (SGLang `policies/tree.rs`): one tree over the
 * prompts the router has sent, shared by all workers ("tenants"), remembering per node which workers
 * were sent that prefix and when. It approximates, never reads, the workers' real caches.
 *
 * SGLang's tree is over raw characters. Ours is over block ids: one node per block, each block worth
 * `blockSize` characters, the prompt's last block worth the rest of `inputTokens` (1 token = 1
 * "character" here). Because block ids are prefix-chained (RequestTable), a block id determines its
 * whole prefix, so nodes are found through one id -> node hash map instead of per-node child maps,
 * and the matched length by a galloping search over the prompt (see `walk`); the matched path's block
 * ids are checked against the request and a mismatch is an InvariantError. Matching whole blocks is
 * what a character tree does at block granularity: a block either matches fully or not (SGLang
 * would also count the shared characters of a block that diverges midway).
 *
 * Per node and tenant we keep a last-access stamp (0 = tenant absent) and per tenant the sum of the
 * characters of the nodes holding it, as SGLang does. Stamps are a counter bumped once per tree
 * operation (SGLang older: wall-clock ms; newest: a global epoch counter), so LRU order is exact and
 * tie-free. Timestamp semantics follow `sgl-router/src/policies/tree.rs` (the reference's version):
 * `insert` stamps every node on the path for the tenant; `prefixMatch` re-stamps the chosen tenant
 * from the deepest matched node up to the root. (The newest gateway tree stamps only the path's last
 * node on insert, and on a match only that node and only one match in eight: an optimisation that
 * makes its LRU coarser; we keep the exact older rule.)
 *
 * Invariant: a tenant present at a node is present at all its ancestors (inserts add whole paths,
 * eviction removes only tenant-leaves). Node 0 is the root; it holds no block and is never evicted.
 *
 * Storage is struct-of-arrays on typed arrays, grown by doubling; deleted nodes go on a free list.
 * Per-tenant columns are dense: about 52 + 8 * tenants bytes a node.
 */
import { InvariantError } from "../../errors.js";
import { Int32IndexMap } from "../util/int-index-map.js";
import { PairMinHeap } from "../util/pair-min-heap.js";
import type { RouteRequest } from "./types.js";

const ROOT = 0;
const NO_PARENT = -1;
/** parent[] of a node on the free list. */
const DEAD = -2;

/** Number of the request's blocks that cover its prompt (a trailing partial block included). */
export function promptBlockCount(req: RouteRequest): number {
  const available = req.hashEnd - req.hashStart;
  if (req.inputTokens <= 0 || available <= 0) return 0;
  return Math.min(available, Math.ceil(req.inputTokens / req.blockSize));
}

export class ApproxTree {
  readonly numTenants: number;
  /** Characters of the nodes holding each tenant (SGLang `tenant_char_count`). */
  readonly tenantChars: Float64Array;

  /** Result of the last `prefixMatch`: matched characters of the request. */
  matchedChars = 0;
  /** Result of the last `prefixMatch`: chosen tenant of the deepest matched node, -1 if none matched. */
  matchedTenant = -1;

  private cap: number;
  private highWater = 1;
  private live = 1;
  private blockId: Int32Array;
  private parent: Int32Array;
  private chars: Int32Array;
  private numChildren: Int32Array;
  private numTenantsAt: Int32Array;
  /** [node * numTenants + tenant]: last-access stamp, 0 = tenant absent (u32: 2^32 operations). */
  private stamp: Uint32Array;
  /** [node * numTenants + tenant]: how many children of the node hold the tenant. */
  private childrenWith: Int32Array;
  private freeList: Int32Array;
  private freeTop = 0;
  private index: Int32IndexMap;
  private epoch = 0;
  /**
   * Nodes of the last walk's matched blocks; reused by an insert of the same blocks (same id array,
   * start and count) while the tree is unchanged (epoch).
   */
  private path = new Int32Array(64);
  private pathLen = 0;
  private pathEpoch = -1;
  private pathIds: Int32Array | null = null;
  private pathStart = -1;
  private pathBlocks = -1;

  /** Eviction scratch, reused across evictions: a min-heap of tenant-leaves by (stamp, slot = node * numTenants + tenant). */
  private readonly heap = new PairMinHeap();
  private overCap: Uint8Array;

  constructor(numTenants: number, initialNodes = 16384) {
    if (!Number.isInteger(numTenants) || numTenants < 1) throw new InvariantError(`tree needs >= 1 tenant, got ${numTenants}`);
    this.numTenants = numTenants;
    this.tenantChars = new Float64Array(numTenants);
    this.overCap = new Uint8Array(numTenants);
    this.cap = Math.max(16, initialNodes);
    this.blockId = new Int32Array(this.cap);
    this.parent = new Int32Array(this.cap);
    this.chars = new Int32Array(this.cap);
    this.numChildren = new Int32Array(this.cap);
    this.numTenantsAt = new Int32Array(this.cap);
    this.stamp = new Uint32Array(this.cap * numTenants);
    this.childrenWith = new Int32Array(this.cap * numTenants);
    this.freeList = new Int32Array(this.cap);
    this.index = new Int32IndexMap(this.cap);
    this.parent[ROOT] = NO_PARENT;
  }

  /** Live nodes, root included. */
  get nodeCount(): number {
    return this.live;
  }

  /**
   * Walks the request's prompt blocks from the root while they are in the tree. Sets `matchedChars`
   * (sum of the request's own block worths over the matched blocks) and `matchedTenant`: among the
   * tenants of the deepest matched node, the most recently stamped (ties to the lowest index; with
   * one stamp per operation ties cannot occur). SGLang returns "the first" tenant of that node: a
   * DashMap iteration order in sgl-router, a cached creator tenant in the newest gateway; neither is
   * reproducible, most-recent is the documented deterministic choice. Re-stamps the chosen tenant
   * on the path, as sgl-router does.
   */
  prefixMatch(req: RouteRequest): void {
    const nb = promptBlockCount(req);
    const k = this.walk(req, nb);
    // Only the prompt's last block can be partial, so a full match is worth the whole prompt.
    this.matchedChars = k === nb ? (nb > 0 ? req.inputTokens : 0) : k * req.blockSize;
    this.matchedTenant = -1;
    if (k === 0) {
      this.pathEpoch = this.epoch;
      return;
    }
    const cur = this.path[k - 1];
    const n = this.numTenants;
    const base = cur * n;
    let best = -1;
    let bestStamp = 0;
    for (let w = 0; w < n; w++) {
      const s = this.stamp[base + w];
      if (s > bestStamp) {
        bestStamp = s;
        best = w;
      }
    }
    this.matchedTenant = best;
    if (best >= 0) {
      // best < 0 is unreachable: a live non-root node always holds a tenant.
      const e = this.nextEpoch();
      for (let node = cur; node !== NO_PARENT; node = this.parent[node]) this.stamp[node * n + best] = e;
    }
    this.pathEpoch = this.epoch;
  }

  /**
   * Records that the request's prompt was sent to `tenant`: adds/stamps every node on its path.
   * Right after `prefixMatch` of the same blocks it reuses that walk.
   */
  insert(req: RouteRequest, tenant: number): void {
    const n = this.numTenants;
    const nb = promptBlockCount(req);
    const cached = this.pathEpoch === this.epoch && this.pathIds === req.hashIds && this.pathStart === req.hashStart && this.pathBlocks === nb;
    const k0 = cached ? this.pathLen : this.walk(req, nb);
    const e = this.nextEpoch();
    // Root: tenant registered, never counted (it holds no characters).
    if (this.stamp[ROOT * n + tenant] === 0) this.numTenantsAt[ROOT]++;
    this.stamp[ROOT * n + tenant] = e;
    let cur = ROOT;
    for (let k = 0; k < k0; k++) {
      const node = this.path[k];
      const slot = node * n + tenant;
      if (this.stamp[slot] === 0) {
        this.numTenantsAt[node]++;
        this.childrenWith[cur * n + tenant]++;
        this.tenantChars[tenant] += this.chars[node];
      }
      this.stamp[slot] = e;
      cur = node;
    }
    // The first unmatched block is absent, hence (prefix chaining) so is every later one: create them.
    const ids = req.hashIds;
    const bs = req.blockSize;
    for (let k = k0; k < nb; k++) {
      const node = this.allocNode(ids[req.hashStart + k], cur, k < nb - 1 ? bs : req.inputTokens - (nb - 1) * bs);
      this.numTenantsAt[node] = 1;
      this.childrenWith[cur * n + tenant]++;
      this.tenantChars[tenant] += this.chars[node];
      this.stamp[node * n + tenant] = e;
      cur = node;
    }
  }

  /**
   * Finds how many leading prompt blocks are in the tree and fills `path` with their nodes.
   * Prefix chaining makes "block j is in the tree" monotone in j (a node's ancestors are exactly
   * the blocks before it, and nodes are deleted only when childless), so the matched length is
   * found by galloping search with O(log matched) hash lookups; the path is then read through parent
   * links, checking each node's block id against the request (a mismatch is a chaining violation).
   */
  private walk(req: RouteRequest, nb: number): number {
    if (this.path.length < nb) this.path = new Int32Array(Math.max(nb, this.path.length * 2));
    const ids = req.hashIds;
    const start = req.hashStart;
    // Galloping search: lo blocks known present, blocks after hi known absent.
    let lo = 0;
    let hi = nb;
    let deep = ROOT;
    let step = 1;
    while (lo < hi) {
      const probe = lo + step < hi ? lo + step : hi;
      const node = this.index.get(ids[start + probe - 1]);
      if (node >= 0) {
        lo = probe;
        deep = node;
        step *= 2;
      } else {
        hi = probe - 1;
        step = 1;
      }
    }
    const k = lo;
    const path = this.path;
    let node = deep;
    for (let j = k - 1; j >= 0; j--) {
      if (node <= ROOT || this.blockId[node] !== ids[start + j]) this.chainViolation(ids[start + j]);
      path[j] = node;
      node = this.parent[node];
    }
    if (node !== ROOT) this.chainViolation(ids[start]);
    this.pathLen = k;
    this.pathIds = ids;
    this.pathStart = req.hashStart;
    this.pathBlocks = nb;
    this.pathEpoch = -1; // valid only once prefixMatch has stamped
    return k;
  }

  /**
   * SGLang `evict_tenant_by_size`: for every tenant holding more than `maxChars` characters, removes
   * it from its least recently stamped tenant-leaves (nodes holding it whose children do not) until
   * it holds at most `maxChars`; a node left with no tenant and no child is deleted, and a parent
   * that becomes a tenant-leaf joins the candidates. As in SGLang, one min-heap holds the leaves of
   * every tenant and entries of tenants already under the cap are skipped; it is built in one pass
   * over the nodes and heapified, and popping stops once no tenant is over the cap. Heap order is
   * (stamp, node * numTenants + tenant), total and deterministic.
   */
  evictOverSize(maxChars: number): void {
    const n = this.numTenants;
    this.epoch++; // invalidates a cached walk
    let over = 0;
    for (let w = 0; w < n; w++) {
      this.overCap[w] = this.tenantChars[w] > maxChars ? 1 : 0;
      over += this.overCap[w];
    }
    if (over === 0) return;
    const heap = this.heap;
    heap.clear();
    for (let node = 1; node < this.highWater; node++) {
      if (this.parent[node] === DEAD) continue;
      const base = node * n;
      for (let w = 0; w < n; w++) {
        const slot = base + w;
        if (this.overCap[w] === 1 && this.stamp[slot] !== 0 && this.childrenWith[slot] === 0) heap.append(this.stamp[slot], slot, slot);
      }
    }
    heap.heapify();
    while (heap.size > 0 && over > 0) {
      const slot = heap.pop();
      const w = slot % n;
      if (this.overCap[w] === 0) continue;
      const node = (slot - w) / n;
      const p = this.parent[node];
      this.removeTenant(node, w);
      if (this.tenantChars[w] <= maxChars) {
        this.overCap[w] = 0;
        over--;
      } else if (p !== ROOT && this.childrenWith[p * n + w] === 0 && this.stamp[p * n + w] !== 0) {
        heap.push(this.stamp[p * n + w], p * n + w, p * n + w);
      }
    }
  }

  /** Leading blocks of `ids` present in the tree with `tenant` (for tests and diagnostics). */
  tenantPrefixBlocks(ids: ArrayLike<number>, tenant: number): number {
    let cur = ROOT;
    for (let k = 0; k < ids.length; k++) {
      const node = this.index.get(ids[k]);
      if (node < 0 || this.parent[node] !== cur || this.stamp[node * this.numTenants + tenant] === 0) return k;
      cur = node;
    }
    return ids.length;
  }

  private removeTenant(node: number, w: number): void {
    const n = this.numTenants;
    const p = this.parent[node];
    this.stamp[node * n + w] = 0;
    this.numTenantsAt[node]--;
    this.childrenWith[p * n + w]--;
    this.tenantChars[w] = Math.max(0, this.tenantChars[w] - this.chars[node]);
    if (this.numTenantsAt[node] === 0 && this.numChildren[node] === 0) this.freeNode(node);
  }

  private allocNode(id: number, parent: number, chars: number): number {
    let node: number;
    if (this.freeTop > 0) {
      node = this.freeList[--this.freeTop];
    } else {
      if (this.highWater === this.cap) this.grow();
      node = this.highWater++;
    }
    this.blockId[node] = id;
    this.parent[node] = parent;
    this.chars[node] = chars;
    this.numChildren[node] = 0;
    this.numTenantsAt[node] = 0;
    // stamp/childrenWith rows are all zero: fresh, or zeroed as the node emptied before freeing.
    this.numChildren[parent]++;
    if (!this.index.set(id, node)) this.chainViolation(id);
    this.live++;
    return node;
  }

  private freeNode(node: number): void {
    this.numChildren[this.parent[node]]--;
    this.index.delete(this.blockId[node]);
    this.parent[node] = DEAD;
    this.freeList[this.freeTop++] = node;
    this.live--;
  }

  private grow(): void {
    const n = this.numTenants;
    const cap = this.cap * 2;
    const g32 = (a: Int32Array, len: number): Int32Array => {
      const b = new Int32Array(len);
      b.set(a);
      return b;
    };
    this.blockId = g32(this.blockId, cap);
    this.parent = g32(this.parent, cap);
    this.chars = g32(this.chars, cap);
    this.numChildren = g32(this.numChildren, cap);
    this.numTenantsAt = g32(this.numTenantsAt, cap);
    this.childrenWith = g32(this.childrenWith, cap * n);
    this.freeList = g32(this.freeList, cap);
    const s = new Uint32Array(cap * n);
    s.set(this.stamp);
    this.stamp = s;
    this.cap = cap;
  }

  private nextEpoch(): number {
    if (this.epoch >= 0xfffffffe) throw new InvariantError("approximate tree: 2^32 operations, stamp counter exhausted");
    return ++this.epoch;
  }

  private chainViolation(id: number): never {
    throw new InvariantError(`block id ${id} appears under two different prefixes; router block ids must be prefix-chained`);
  }
}
