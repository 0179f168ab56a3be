/**
 * The L3 (storage) tier: a key set of block ids with a capacity and LRU eviction, like HiCache's
 * storage backends (no tree; existence is queried per page). One instance per replica, or one for
 * the whole cluster when `l3.shared` (Mooncake store / 3FS).
 */
export class L3Store {
  private readonly prev = new Map<number, number>();
  private readonly next = new Map<number, number>();
  private head = -1;
  private tail = -1;
  evictions = 0;

  constructor(readonly capacityBlocks: number) {}

  get size(): number {
    return this.prev.size;
  }

  has(id: number): boolean {
    return this.prev.has(id);
  }

  /** Leading blocks of `ids[from, from+count)` present in the store (touches them). */
  contiguousHits(ids: Int32Array, from: number, count: number): number {
    let h = 0;
    while (h < count && this.prev.has(ids[from + h])) h++;
    // Touch deepest first so shared prefixes stay more recent than their continuations.
    for (let i = h - 1; i >= 0; i--) this.touch(ids[from + i]);
    return h;
  }

  /** Adds (or refreshes) blocks, evicting the least recently used beyond capacity. */
  put(ids: Int32Array, from: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      const id = ids[from + i];
      if (this.prev.has(id)) this.touch(id);
      else this.append(id);
    }
    while (this.prev.size > this.capacityBlocks && this.head >= 0) {
      const victim = this.head;
      this.remove(victim);
      this.evictions++;
    }
  }

  private touch(id: number): void {
    if (this.tail === id) return;
    this.remove(id);
    this.append(id);
  }

  private append(id: number): void {
    this.prev.set(id, this.tail);
    this.next.set(id, -1);
    if (this.tail >= 0) this.next.set(this.tail, id);
    else this.head = id;
    this.tail = id;
  }

  private remove(id: number): void {
    const p = this.prev.get(id)!;
    const n = this.next.get(id)!;
    if (p >= 0) this.next.set(p, n);
    else this.head = n;
    if (n >= 0) this.prev.set(n, p);
    else this.tail = p;
    this.prev.delete(id);
    this.next.delete(id);
  }
}
