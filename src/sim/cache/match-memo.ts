/**
 * The prefix cache's memory of its last `match` (radix-cache.ts): asked again for the same blocks
 * while nothing it depends on changed, `match` returns the same result without re-walking or
 * re-touching. A re-touch would move the same nodes, in the same order, to the recent ends of the
 * lists they still end (nothing was appended since), and give them new stamps ordered exactly like
 * their current ones (still the newest: nothing was stamped since); only the order of stamps is
 * ever used (LRU lists, LFU heap order, staleness by equality), so every later decision is the same.
 * The cache's `version` is bumped by whatever could break that: a list append, a new stamp (touch,
 * new node), an LFU heap push, and a tier change or deletion of a node on the remembered path
 * (stamped after `floor`) or of the node its walk stopped at (`onPath`). Evicting other nodes (the
 * LRU head) leaves it valid, so a scheduler re-checking the head of its queue every step under
 * memory pressure walks the path once.
 */

/** What a prefix match found; reused across calls. */
export interface MatchResult {
  /** Leading blocks resident in L1. */
  l1Blocks: number;
  /** Blocks right after those that are only in L2 (host). */
  l2Blocks: number;
  /** Deepest node of the L1 part (root when none). */
  l1Node: number;
  /** Deepest matched node (L1 or L2). */
  lastNode: number;
}

export function newMatchResult(): MatchResult {
  return { l1Blocks: 0, l2Blocks: 0, l1Node: 0, lastNode: 0 };
}

function copyMatch(from: MatchResult, to: MatchResult): void {
  to.l1Blocks = from.l1Blocks;
  to.l2Blocks = from.l2Blocks;
  to.l1Node = from.l1Node;
  to.lastNode = from.lastNode;
}

export class MatchMemo {
  /** The cache version the remembered match is valid at (-1: none). */
  private version = -1;
  /** Clock before the remembered match's touch: nodes stamped after it are that path. */
  private floor = 0;
  /** Node the remembered walk stopped at (present but in the wrong tier), or -1. */
  private stop = -1;
  /** The block ids the remembered walk looked up, and the `count` it was called with. */
  private key = new Int32Array(256);
  private len = 0;
  private count = -1;
  private readonly result: MatchResult = newMatchResult();

  /** Fills `out` and returns true when the remembered match answers `ids[from, from+count)` at `version`. */
  recall(version: number, ids: Int32Array, from: number, count: number, out: MatchResult): boolean {
    if (this.version !== version || this.count !== count) return false;
    const key = this.key;
    for (let i = 0; i < this.len; i++) if (ids[from + i] !== key[i]) return false;
    copyMatch(this.result, out);
    return true;
  }

  /**
   * Remembers a match at `version` that looked up `looked` blocks of `ids` from `from` (asked for
   * `count`), stopped at node `stop` (or -1), and touched its path after clock `floor`.
   */
  remember(version: number, floor: number, stop: number, ids: Int32Array, from: number, looked: number, count: number, result: MatchResult): void {
    this.version = version;
    this.floor = floor;
    this.stop = stop;
    if (this.key.length < looked) this.key = new Int32Array(looked * 2);
    const key = this.key;
    for (let i = 0; i < looked; i++) key[i] = ids[from + i];
    this.len = looked;
    this.count = count;
    copyMatch(result, this.result);
  }

  /** A change to node `n` (last stamped at `stamp`) can change the remembered match. */
  onPath(n: number, stamp: number): boolean {
    return n === this.stop || stamp > this.floor;
  }
}
