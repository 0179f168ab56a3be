/**
 * An int32 -> non-negative int32 hash map on typed arrays (open addressing, linear probing,
 * backward-shift deletion). Used by the approximate tree to find a node by block id without a JS
 * Map's per-entry allocations. It is never iterated, so its layout cannot influence any result.
 */
export class Int32IndexMap {
  private keys: Int32Array;
  /** -1 marks an empty slot. */
  private vals: Int32Array;
  private bits: number;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let bits = 4;
    while (1 << bits < initialCapacity * 2) bits++;
    this.bits = bits;
    this.mask = (1 << bits) - 1;
    this.keys = new Int32Array(1 << bits);
    this.vals = new Int32Array(1 << bits).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** Fibonacci hashing: the high bits of key * 2^32/phi. */
  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> (32 - this.bits);
  }

  /** The value stored for `key`, or -1. */
  get(key: number): number {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(key);
    for (;;) {
      const v = vals[i];
      if (v === -1) return -1;
      if (keys[i] === key) return v;
      i = (i + 1) & mask;
    }
  }

  /** Stores `value` (>= 0) for `key`, replacing any previous value; true when `key` was absent. */
  set(key: number, value: number): boolean {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(key);
    for (;;) {
      if (vals[i] === -1) {
        keys[i] = key;
        vals[i] = value;
        this.count++;
        return true;
      }
      if (keys[i] === key) {
        vals[i] = value;
        return false;
      }
      i = (i + 1) & mask;
    }
  }

  /** Removes `key` if present. */
  delete(key: number): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(key);
    for (;;) {
      if (vals[i] === -1) return;
      if (keys[i] === key) break;
      i = (i + 1) & mask;
    }
    // Backward shift: pull later entries of the probe run into the hole when their home allows it.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (vals[j] === -1) break;
      const k = this.home(keys[j]);
      if (((j - k) & mask) >= ((j - i) & mask)) {
        keys[i] = keys[j];
        vals[i] = vals[j];
        i = j;
      }
    }
    vals[i] = -1;
    this.count--;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.bits++;
    this.mask = (1 << this.bits) - 1;
    this.keys = new Int32Array(1 << this.bits);
    this.vals = new Int32Array(1 << this.bits).fill(-1);
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    for (let i = 0; i < oldVals.length; i++) {
      if (oldVals[i] === -1) continue;
      let j = this.home(oldKeys[i]);
      while (vals[j] !== -1) j = (j + 1) & mask;
      keys[j] = oldKeys[i];
      vals[j] = oldVals[i];
    }
  }
}
