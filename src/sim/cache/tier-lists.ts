/**
 * The prefix cache's two eviction lists as intrusive doubly linked lists over node indices (typed
 * arrays, no per-node objects): L1 holds unlocked GPU-resident nodes, L2 host-only nodes without a
 * host lock, each least recently listed first. Appending at the recent end and removing from
 * anywhere are O(1); a node is on at most one list, which the cache records with the node. SGLang
 * keeps the same order with a heap over `last_access_time` (mem_cache/radix_cache.py `evict`);
 * touching a path deepest-first keeps parents more recent than children, so the head is almost
 * always the leaf it would pick.
 */
export const LIST_NONE = 0;
/** In L1, unlocked: L1-evictable when it has no L1 children. */
export const LIST_L1 = 1;
/** Host-only, no host lock: L2-evictable when it has no children. */
export const LIST_L2 = 2;

export class TierLists {
  private prev: Int32Array;
  private next: Int32Array;
  /** Head and tail node of each list (-1 = empty). Plain fields: the hot path reads them on every append. */
  private l1Head = -1;
  private l1Tail = -1;
  private l2Head = -1;
  private l2Tail = -1;

  constructor(capacity: number) {
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
  }

  /** Least recently listed node of list `which`, or -1. */
  head(which: number): number {
    return which === LIST_L1 ? this.l1Head : this.l2Head;
  }

  /** The node listed after `n` on its list, or -1. */
  after(n: number): number {
    return this.next[n];
  }

  /** Is `n` the most recent node of its list? */
  isLast(n: number): boolean {
    return this.next[n] < 0;
  }

  /** Puts `n` (on no list) at the recent end of list `which`. */
  append(n: number, which: number): void {
    this.next[n] = -1;
    if (which === LIST_L1) {
      this.prev[n] = this.l1Tail;
      if (this.l1Tail >= 0) this.next[this.l1Tail] = n;
      else this.l1Head = n;
      this.l1Tail = n;
    } else {
      this.prev[n] = this.l2Tail;
      if (this.l2Tail >= 0) this.next[this.l2Tail] = n;
      else this.l2Head = n;
      this.l2Tail = n;
    }
  }

  /** Takes `n` off list `which` (the list it is on; the caller keeps track of membership). */
  remove(n: number, which: number): void {
    const p = this.prev[n];
    const x = this.next[n];
    if (p >= 0) this.next[p] = x;
    else if (which === LIST_L1) this.l1Head = x;
    else this.l2Head = x;
    if (x >= 0) this.prev[x] = p;
    else if (which === LIST_L1) this.l1Tail = p;
    else this.l2Tail = p;
  }

  /** Room for node indices below `capacity` (larger than now). */
  grow(capacity: number): void {
    const prev = new Int32Array(capacity);
    prev.set(this.prev);
    const next = new Int32Array(capacity);
    next.set(this.next);
    this.prev = prev;
    this.next = next;
  }
}
