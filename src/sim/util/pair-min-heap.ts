/**
 * A binary min-heap of integer payloads ordered by two numeric keys, (a, b) lexicographically, on
 * typed arrays grown by doubling: the eviction order of the router's approximate tree (stamp, slot)
 * and of the prefix cache's LFU (hits, stamp). Entries with equal keys pop in no particular order,
 * so callers give every entry a distinct key pair (or equal entries the same payload) to stay
 * deterministic.
 */
export class PairMinHeap {
  private keyA: Float64Array;
  private keyB: Float64Array;
  private payload: Int32Array;
  private n = 0;

  constructor(initialCapacity = 64) {
    const cap = Math.max(1, initialCapacity);
    this.keyA = new Float64Array(cap);
    this.keyB = new Float64Array(cap);
    this.payload = new Int32Array(cap);
  }

  /** Entries held. */
  get size(): number {
    return this.n;
  }

  /** Drops every entry (keeps the storage). */
  clear(): void {
    this.n = 0;
  }

  /** First key of the smallest entry (size > 0). */
  get topA(): number {
    return this.keyA[0];
  }

  /** Second key of the smallest entry (size > 0). */
  get topB(): number {
    return this.keyB[0];
  }

  /** Payload of the smallest entry (size > 0). */
  get top(): number {
    return this.payload[0];
  }

  /** Appends without ordering; call `heapify` before the next `pop` or `push`. */
  append(a: number, b: number, payload: number): void {
    if (this.n === this.payload.length) this.grow();
    this.keyA[this.n] = a;
    this.keyB[this.n] = b;
    this.payload[this.n] = payload;
    this.n++;
  }

  /** Restores heap order after `append`s, in O(size). */
  heapify(): void {
    for (let i = (this.n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  push(a: number, b: number, payload: number): void {
    this.append(a, b, payload);
    let i = this.n - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  /** Removes the smallest entry and returns its payload (size > 0). */
  pop(): number {
    const top = this.payload[0];
    const last = --this.n;
    if (last > 0) {
      this.keyA[0] = this.keyA[last];
      this.keyB[0] = this.keyB[last];
      this.payload[0] = this.payload[last];
      this.down(0);
    }
    return top;
  }

  private less(i: number, j: number): boolean {
    const a = this.keyA[i];
    const b = this.keyA[j];
    return a < b || (a === b && this.keyB[i] < this.keyB[j]);
  }

  private down(start: number): void {
    const size = this.n;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= size) break;
      const r = l + 1;
      const c = r < size && this.less(r, l) ? r : l;
      if (!this.less(c, i)) break;
      this.swap(i, c);
      i = c;
    }
  }

  private swap(i: number, j: number): void {
    const a = this.keyA[i];
    this.keyA[i] = this.keyA[j];
    this.keyA[j] = a;
    const b = this.keyB[i];
    this.keyB[i] = this.keyB[j];
    this.keyB[j] = b;
    const p = this.payload[i];
    this.payload[i] = this.payload[j];
    this.payload[j] = p;
  }

  private grow(): void {
    const cap = this.payload.length * 2;
    const a = new Float64Array(cap);
    a.set(this.keyA);
    this.keyA = a;
    const b = new Float64Array(cap);
    b.set(this.keyB);
    this.keyB = b;
    const p = new Int32Array(cap);
    p.set(this.payload);
    this.payload = p;
  }
}
