/**
 * Prefix-cache hit rate of a workload as a function of cache capacity (the `trace hit-curve` command):
 * with block size B, a request's hit blocks h = the number of its leading prompt block ids present
 * in the cache at its arrival, hit tokens = min(h*B, inputTokens); then all its blocks are inserted
 * and touched, earlier blocks counting as more recently used than later ones (so a parent is never
 * evicted before its children); capacity C tokens holds floor(C/B) blocks; C = 0 is unbounded.
 *
 * LRU, every capacity in one pass (Mattson's stack algorithm, as in KVCM's LiteHit): touching a
 * request's blocks last-to-first is a sequence of single-block references, so LRU with capacity K
 * holds exactly the top K of the recency stack. Before a request touches anything, block j is
 * cached iff its stack depth d_j (1 + the number of distinct blocks referenced since its last
 * reference, counted with a Fenwick tree over last-reference positions) is <= K. A leading-prefix
 * hit needs blocks 0..j all cached, so block j is a hit iff K >= max(d_0..d_j): that running maximum
 * is the request's per-block threshold, and one histogram of thresholds answers every capacity.
 *
 * LFU is not a stack algorithm; it is simulated per capacity (SGLang's priority: fewest hits, then
 * least recently used; the count restarts when a block is evicted; room is made before insertion).
 */
import {
  hashIdBound, promptBlocks, type RequestTable,
} from "../workload/request-table.js";

export interface HitCurvePoint {
  capacityTokens: number;
  tokenHitRate: number;
  blockHitRate: number;
}

/** The `trace hit-curve` JSON. */
export interface HitCurve {
  blockSize: number;
  points: HitCurvePoint[];
}

export type HitCurvePolicy = "lru" | "lfu";

/**
 * The order in which requests reach the cache: by arrival, a released request (`after[i] >= 0`)
 * at its predecessor's time plus its think time (service time unknown here, so ignored); ties in
 * table order.
 */
export function arrivalOrder(t: RequestTable): Int32Array {
  const n = t.count;
  const est = new Float64Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const p = t.after[i];
    est[i] = p >= 0 && p < i ? est[p] + t.afterDelayUs[i] : t.arrivalUs[i];
    if (i > 0 && est[i] < est[i - 1]) sorted = false;
  }
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (!sorted) order.sort((a, b) => est[a] - est[b] || a - b);
  return order;
}

/** Hits of an LRU cache at every capacity: histograms of per-block thresholds (stack depths). */
export class LruReuseProfile {
  readonly blockSize: number;
  /** Sum of input tokens / prompt blocks over all requests (the denominators). */
  readonly totalTokens: number;
  readonly totalBlocks: number;
  /** cumTokens[d] = hit tokens of an LRU cache of d blocks (d up to the deepest finite threshold). */
  private readonly cumTokens: Float64Array;
  private readonly cumBlocks: Float64Array;

  constructor(blockSize: number, totalTokens: number, totalBlocks: number, tokensAt: Float64Array, blocksAt: Float64Array) {
    this.blockSize = blockSize;
    this.totalTokens = totalTokens;
    this.totalBlocks = totalBlocks;
    let maxD = tokensAt.length - 1;
    while (maxD > 0 && blocksAt[maxD] === 0) maxD--;
    this.cumTokens = new Float64Array(maxD + 1);
    this.cumBlocks = new Float64Array(maxD + 1);
    let st = 0;
    let sb = 0;
    for (let d = 0; d <= maxD; d++) {
      st += tokensAt[d];
      sb += blocksAt[d];
      this.cumTokens[d] = st;
      this.cumBlocks[d] = sb;
    }
  }

  /** Smallest capacity (tokens) that reaches the unbounded hit rate. */
  get saturationTokens(): number {
    return (this.cumBlocks.length - 1) * this.blockSize;
  }

  /** Hit tokens and blocks with a cache of `capacityTokens` (0 = unbounded). */
  hits(capacityTokens: number): { tokens: number; blocks: number } {
    const last = this.cumBlocks.length - 1;
    const k = capacityTokens === 0 ? last : Math.min(last, Math.floor(capacityTokens / this.blockSize));
    return { tokens: this.cumTokens[k], blocks: this.cumBlocks[k] };
  }

  /** The hit rates at `capacityTokens` (0 = unbounded). */
  point(capacityTokens: number): HitCurvePoint {
    const h = this.hits(capacityTokens);
    return {
      capacityTokens,
      tokenHitRate: this.totalTokens > 0 ? h.tokens / this.totalTokens : 0,
      blockHitRate: this.totalBlocks > 0 ? h.blocks / this.totalBlocks : 0,
    };
  }
}

/**
 * One pass over the table computing the LRU hit rate at every capacity.
 * Time O(blocks log distinct), memory O(distinct blocks) (positions are renumbered when full).
 * @param order processing order (default `arrivalOrder`)
 */
export function lruReuseProfile(t: RequestTable, order: Int32Array = arrivalOrder(t)): LruReuseProfile {
  const B = t.blockSize;
  const bound = hashIdBound(t);
  const stack = new RecencyStack(bound);
  const tokensAt = new Float64Array(bound + 2);
  const blocksAt = new Float64Array(bound + 2);
  let totalTokens = 0;
  let totalBlocks = 0;
  const ids = t.hashIds;
  for (let r = 0; r < order.length; r++) {
    const i = order[r];
    const s = t.hashStart[i];
    const np = promptBlocks(t, i);
    const input = t.inputTokens[i];
    totalTokens += input;
    totalBlocks += np;
    let threshold = 0;
    for (let j = 0; j < np; j++) {
      const d = stack.depth(ids[s + j]);
      if (d === 0) break; // never referenced (or only by this request): no capacity hits it
      if (d > threshold) threshold = d;
      blocksAt[threshold] += 1;
      tokensAt[threshold] += Math.max(0, Math.min(B, input - j * B));
    }
    for (let k = t.hashStart[i + 1] - 1; k >= s; k--) stack.touch(ids[k]);
  }
  return new LruReuseProfile(B, totalTokens, totalBlocks, tokensAt, blocksAt);
}

/**
 * LRU recency stack over dense ids: a Fenwick tree marks each id's last reference position, so an
 * id's depth is the number of marks at or after its position. Positions are renumbered in place
 * when they run out, keeping memory proportional to the number of ids.
 */
class RecencyStack {
  private readonly size: number;
  private readonly tree: Int32Array;
  private readonly posId: Int32Array;
  private readonly lastPos: Int32Array;
  private time = 0;
  private live = 0;

  constructor(ids: number) {
    this.size = Math.max(1024, 2 * ids + 2);
    this.tree = new Int32Array(this.size + 1);
    this.posId = new Int32Array(this.size + 1);
    this.lastPos = new Int32Array(ids);
  }

  /** 1-based stack depth of `id` (1 = most recent), 0 when never referenced. */
  depth(id: number): number {
    const p = this.lastPos[id];
    if (p === 0) return 0;
    let before = 0;
    for (let q = p - 1; q > 0; q -= q & -q) before += this.tree[q];
    return this.live - before;
  }

  touch(id: number): void {
    if (this.time === this.size) this.compact();
    const p = this.lastPos[id];
    if (p !== 0) this.add(p, -1);
    else this.live++;
    const now = ++this.time;
    this.add(now, 1);
    this.lastPos[id] = now;
    this.posId[now] = id;
  }

  private add(p: number, v: number): void {
    for (let q = p; q <= this.size; q += q & -q) this.tree[q] += v;
  }

  private compact(): void {
    let w = 0;
    for (let p = 1; p <= this.size; p++) {
      const id = this.posId[p];
      if (this.lastPos[id] !== p) continue;
      w++;
      this.lastPos[id] = w;
      this.posId[w] = id;
    }
    this.time = w;
    // Linear Fenwick build: every node passes its total to its parent, empty positions included.
    this.tree.fill(0);
    for (let q = 1; q <= this.size; q++) {
      if (q <= w) this.tree[q] += 1;
      const up = q + (q & -q);
      if (up <= this.size) this.tree[up] += this.tree[q];
    }
  }
}

/** Hit tokens and blocks of an LFU cache of `capacityBlocks` blocks, simulated directly. */
export function lfuHits(t: RequestTable, capacityBlocks: number, order: Int32Array = arrivalOrder(t)): { tokens: number; blocks: number } {
  const B = t.blockSize;
  const bound = hashIdBound(t);
  const K = Math.min(capacityBlocks, bound);
  if (K <= 0) return { tokens: 0, blocks: 0 };
  const heap = new Int32Array(K);
  const pos = new Int32Array(bound).fill(-1);
  const count = new Int32Array(bound);
  const last = new Float64Array(bound);
  let size = 0;
  let clock = 0;
  const less = (a: number, b: number): boolean => count[a] < count[b] || (count[a] === count[b] && last[a] < last[b]);
  const place = (k: number, id: number): void => {
    heap[k] = id;
    pos[id] = k;
  };
  const siftUp = (k: number): void => {
    const id = heap[k];
    while (k > 0) {
      const up = (k - 1) >> 1;
      if (!less(id, heap[up])) break;
      place(k, heap[up]);
      k = up;
    }
    place(k, id);
  };
  const siftDown = (k: number): void => {
    const id = heap[k];
    for (;;) {
      let c = 2 * k + 1;
      if (c >= size) break;
      if (c + 1 < size && less(heap[c + 1], heap[c])) c++;
      if (!less(heap[c], id)) break;
      place(k, heap[c]);
      k = c;
    }
    place(k, id);
  };
  let tokens = 0;
  let blocks = 0;
  const ids = t.hashIds;
  for (let r = 0; r < order.length; r++) {
    const i = order[r];
    const s = t.hashStart[i];
    const np = promptBlocks(t, i);
    let h = 0;
    while (h < np && pos[ids[s + h]] >= 0) h++;
    blocks += h;
    tokens += Math.min(h * B, t.inputTokens[i]);
    for (let k = t.hashStart[i + 1] - 1; k >= s; k--) {
      const id = ids[k];
      last[id] = ++clock;
      if (pos[id] >= 0) {
        count[id]++;
        siftDown(pos[id]);
        continue;
      }
      if (size === K) {
        pos[heap[0]] = -1;
        size--;
        if (size > 0) {
          heap[0] = heap[size];
          siftDown(0);
        }
      }
      count[id] = 1;
      heap[size] = id;
      size++;
      siftUp(size - 1);
    }
  }
  return { tokens, blocks };
}

/**
 * The hit curve at `capacitiesTokens` (0 = unbounded) under `policy`, in the given order.
 * LRU: one pass for all capacities; LFU: one simulation per capacity.
 */
export function hitCurve(t: RequestTable, capacitiesTokens: readonly number[], policy: HitCurvePolicy = "lru", order: Int32Array = arrivalOrder(t)): HitCurve {
  const profile = lruReuseProfile(t, order);
  if (policy === "lru") return { blockSize: t.blockSize, points: capacitiesTokens.map((c) => profile.point(c)) };
  const points = capacitiesTokens.map((c): HitCurvePoint => {
    if (c === 0) return profile.point(0); // unbounded: nothing is ever evicted, policy irrelevant
    const h = lfuHits(t, Math.floor(c / t.blockSize), order);
    return {
      capacityTokens: c,
      tokenHitRate: profile.totalTokens > 0 ? h.tokens / profile.totalTokens : 0,
      blockHitRate: profile.totalBlocks > 0 ? h.blocks / profile.totalBlocks : 0,
    };
  });
  return { blockSize: t.blockSize, points };
}
