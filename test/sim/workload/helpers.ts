/** Test helpers for workload tables: independent checkers and small reference simulators. */
import { Rng } from "../../../src/sim/rng.js";
import {
  answerBlocks, forEachStreamBlock, promptBlocks, type RequestTable,
} from "../../../src/sim/workload/request-table.js";
import { TraceTableBuilder } from "../../../src/sim/workload/trace-table-builder.js";

/**
 * Problems with the prefix-chain property: an id seen at two positions, or with two different
 * predecessors, across the prompt views and prompt+answer stream views of all requests.
 */
export function chainViolations(t: RequestTable, max = 5): string[] {
  const seen = new Map<number, { pos: number; parent: number; where: string }>();
  const bad: string[] = [];
  const visit = (ids: number[], where: string): void => {
    for (let k = 0; k < ids.length; k++) {
      const parent = k === 0 ? -1 : ids[k - 1];
      const prev = seen.get(ids[k]);
      if (!prev) seen.set(ids[k], { pos: k, parent, where });
      else if (prev.pos !== k || prev.parent !== parent) {
        if (bad.length < max) bad.push(`id ${ids[k]} at ${where}[${k}] after ${parent}, earlier at ${prev.where}[${prev.pos}] after ${prev.parent}`);
      }
    }
  };
  for (let i = 0; i < t.count; i++) {
    const s = t.hashStart[i];
    visit(Array.from(t.hashIds.subarray(s, s + promptBlocks(t, i))), `prompt ${i}`);
    if (answerBlocks(t, i) > 0) {
      const stream: number[] = [];
      forEachStreamBlock(t, i, (id) => stream.push(id));
      visit(stream, `stream ${i}`);
    }
  }
  return bad;
}

/**
 * A random trace with prefix reuse: each request copies a random-length prefix of an earlier
 * request's raw hashes and appends fresh ones; raw hashes come from a small alphabet so the same raw
 * value recurs under different parents (the builder must chain them).
 */
export function randomTrace(seed: number, n: number, blockSize: number, maxBlocks = 12): RequestTable {
  const rng = new Rng(seed);
  const b = new TraceTableBuilder(blockSize, n);
  const raws: number[][] = [];
  let t = 0;
  for (let i = 0; i < n; i++) {
    const blocks = 1 + rng.int(maxBlocks);
    const raw: number[] = [];
    if (i > 0 && rng.next() < 0.7) {
      const src = raws[rng.int(raws.length)];
      const keep = Math.min(blocks, 1 + rng.int(src.length));
      raw.push(...src.slice(0, keep));
    }
    while (raw.length < blocks) raw.push(rng.int(6));
    raws.push(raw);
    t += rng.exponential(1000);
    const input = (blocks - 1) * blockSize + 1 + rng.int(blockSize);
    b.begin(t, input, 1 + rng.int(50));
    for (const h of raw) b.pushRawHash(h);
    b.end();
  }
  return b.finish();
}

/**
 * Plain LRU cache of `capacityBlocks` (Infinity = unbounded) replayed in `order`, straight from the
 * definition of a prefix hit (SGLang `RadixCache.match_prefix`, `python/sglang/srt/mem_cache/radix_cache.py`):
 * hit = leading prompt ids present; then every entry of the request is touched,
 * last first, so earlier blocks end most recent; least recent evicted when over capacity.
 */
export function plainLru(t: RequestTable, capacityBlocks: number, order: ArrayLike<number>): { tokens: number; blocks: number } {
  const cache = new Map<number, true>(); // insertion order = recency order, oldest first
  let tokens = 0;
  let blocks = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r];
    const s = t.hashStart[i];
    const np = promptBlocks(t, i);
    let h = 0;
    while (h < np && cache.has(t.hashIds[s + h])) h++;
    blocks += h;
    tokens += Math.min(h * t.blockSize, t.inputTokens[i]);
    for (let k = t.hashStart[i + 1] - 1; k >= s; k--) {
      const id = t.hashIds[k];
      cache.delete(id);
      cache.set(id, true);
      if (cache.size > capacityBlocks) cache.delete(cache.keys().next().value as number);
    }
  }
  return { tokens, blocks };
}

/**
 * Plain LFU by linear scans: evict the entry with the fewest hits, then the least recently used,
 * before inserting a new block; the count restarts after eviction.
 */
export function plainLfu(t: RequestTable, capacityBlocks: number, order: ArrayLike<number>): { tokens: number; blocks: number } {
  const cache = new Map<number, { count: number; last: number }>();
  let clock = 0;
  let tokens = 0;
  let blocks = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r];
    const s = t.hashStart[i];
    const np = promptBlocks(t, i);
    let h = 0;
    while (h < np && cache.has(t.hashIds[s + h])) h++;
    blocks += h;
    tokens += Math.min(h * t.blockSize, t.inputTokens[i]);
    for (let k = t.hashStart[i + 1] - 1; k >= s; k--) {
      const id = t.hashIds[k];
      clock++;
      const e = cache.get(id);
      if (e) {
        e.count++;
        e.last = clock;
        continue;
      }
      if (capacityBlocks <= 0) continue;
      if (cache.size >= capacityBlocks) {
        let victim = -1;
        let best: { count: number; last: number } | undefined;
        for (const [k2, v] of cache) {
          if (!best || v.count < best.count || (v.count === best.count && v.last < best.last)) {
            best = v;
            victim = k2;
          }
        }
        cache.delete(victim);
      }
      cache.set(id, { count: 1, last: clock });
    }
  }
  return { tokens, blocks };
}

/** Mean and coefficient of variation of a sample. */
export function meanCv(xs: ArrayLike<number>): { mean: number; cv: number } {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  const mean = s / xs.length;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - mean) ** 2;
  return { mean, cv: Math.sqrt(v / (xs.length - 1)) / mean };
}
