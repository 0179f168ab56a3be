/**
 * Interning of (parent id, raw key) pairs into dense ids 0, 1, 2, ... in one typed array (open
 * addressing, linear probing). This is how per-block hashes become prefix-chained ids: block k's id
 * is `intern(id of block k-1, raw hash of block k)`, so equal ids imply equal prefixes. A JS `Map`
 * would cost an object-sized entry per key and caps at 2^24 entries; here a slot is 16 bytes
 * (parent, raw low, raw high, id + 1; 0 = empty) in one cache line, so a lookup is usually one memory
 * access; the table is kept at most 3/4 full.
 */

const TWO32 = 4294967296;
const STRIDE = 4;

export class PairInterner {
  private slots: Int32Array;
  private mask: number;
  private slotsUsed = 0;
  private nextId = 0;

  /** @param expected number of keys to size the table for (it grows as needed). */
  constructor(expected = 1024) {
    let cap = 16;
    while (cap * 3 < expected * 4) cap *= 2;
    this.slots = new Int32Array(cap * STRIDE);
    this.mask = cap - 1;
  }

  /** Number of ids handed out so far (interned pairs and unique ids); ids are 0 .. size-1. */
  get size(): number {
    return this.nextId;
  }

  /** A fresh id that no pair will ever get (a block nothing else can share). */
  unique(): number {
    return this.nextId++;
  }

  /**
   * The dense id of (parent, raw), assigning the next one if the pair is new.
   * @param parent an int32 (-1 for the first block of a prompt)
   * @param raw any safe integer (a trace's hash id, or a hash of token ids)
   */
  intern(parent: number, raw: number): number {
    const lo = lowBits(raw);
    const hi = highBits(raw);
    const b = this.probe(parent, lo, hi);
    const s = this.slots;
    if (s[b + 3] !== 0) return s[b + 3] - 1;
    const id = this.nextId++;
    s[b] = parent;
    s[b + 1] = lo;
    s[b + 2] = hi;
    s[b + 3] = id + 1;
    if (++this.slotsUsed * 4 > (this.mask + 1) * 3) this.grow();
    return id;
  }

  /** The id of (parent, raw), or -1 when it was never interned. */
  get(parent: number, raw: number): number {
    return this.slots[this.probe(parent, lowBits(raw), highBits(raw)) + 3] - 1;
  }

  /** Offset of the slot holding (parent, lo, hi), or of the empty slot where it would go. */
  private probe(parent: number, lo: number, hi: number): number {
    const s = this.slots;
    let slot = hashPair(parent, lo, hi) & this.mask;
    for (;;) {
      const b = slot * STRIDE;
      if (s[b + 3] === 0 || (s[b] === parent && s[b + 1] === lo && s[b + 2] === hi)) return b;
      slot = (slot + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    const s = new Int32Array(cap * STRIDE);
    this.mask = cap - 1;
    for (let b = 0; b < old.length; b += STRIDE) {
      if (old[b + 3] === 0) continue;
      let slot = hashPair(old[b], old[b + 1], old[b + 2]) & this.mask;
      while (s[slot * STRIDE + 3] !== 0) slot = (slot + 1) & this.mask;
      s.set(old.subarray(b, b + STRIDE), slot * STRIDE);
    }
    this.slots = s;
  }
}

// raw = highBits * 2^32 + (lowBits as unsigned): exact for every safe integer, negative ones included.
function highBits(raw: number): number {
  return Math.floor(raw / TWO32) | 0;
}

function lowBits(raw: number): number {
  return (raw - Math.floor(raw / TWO32) * TWO32) | 0;
}

function hashPair(parent: number, lo: number, hi: number): number {
  let h = Math.imul(parent ^ 0x9e3779b9, 0x85ebca6b) ^ lo;
  h = Math.imul(h ^ (h >>> 15), 0xc2b2ae35) ^ hi;
  h = Math.imul(h ^ (h >>> 13), 0x27d4eb2f);
  return (h ^ (h >>> 16)) >>> 0;
}
