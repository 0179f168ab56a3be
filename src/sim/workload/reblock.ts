/**
 * Coarser prefix blocks from a table's chained ids: block size `m * blockSize` where new block g is
 * old blocks g*m .. g*m+m-1 (fewer for a request's last block), its id interned from (previous new
 * id, id of the group's last old block). Because old ids are chained this keeps the prefix
 * property. Finer blocks than the table's cannot be derived from hashes.
 */
import { InputError } from "../../errors.js";
import { GrowableInt32 } from "./growable.js";
import { PairInterner } from "./pair-interner.js";
import { fullPromptBlocks, promptBlocks, type RequestTable } from "./request-table.js";

/**
 * The table with `newBlockSize`-token blocks (a multiple of its block size); shares every array
 * but `hashStart`/`hashIds`. Returns the table itself when the size is unchanged.
 */
export function reblockTable(t: RequestTable, newBlockSize: number): RequestTable {
  if (newBlockSize === t.blockSize) return t;
  if (newBlockSize < t.blockSize || newBlockSize % t.blockSize !== 0) {
    throw new InputError(
      `cannot use ${newBlockSize}-token blocks on a trace hashed in ${t.blockSize}-token blocks; expected a multiple of ${t.blockSize} ` +
        "(finer blocks cannot be derived from block hashes)",
    );
  }
  const m = newBlockSize / t.blockSize;
  const ids = new PairInterner(Math.ceil(t.hashIds.length / m) + 16);
  const out = new GrowableInt32(Math.ceil(t.hashIds.length / m) + t.count);
  const hashStart = new Int32Array(t.count + 1);
  const old = t.hashIds;
  const parents = new GrowableInt32(64); // new prompt ids of the current request
  for (let i = 0; i < t.count; i++) {
    hashStart[i] = out.length;
    const s = t.hashStart[i];
    const np = promptBlocks(t, i);
    const na = t.hashStart[i + 1] - s - np;
    let parent = -1;
    parents.length = 0;
    for (let g = 0; g * m < np; g++) {
      const last = Math.min(g * m + m, np) - 1;
      parent = ids.intern(parent, old[s + last]);
      out.push(parent);
      parents.push(parent);
    }
    if (na > 0) {
      // The prompt+answer stream: complete prompt blocks, then the answer entries.
      const nf = fullPromptBlocks(t, i);
      const ns = nf + na;
      const streamAt = (k: number): number => (k < nf ? old[s + k] : old[s + np + (k - nf)]);
      const first = Math.floor(t.inputTokens[i] / newBlockSize);
      let p = first > 0 ? parents.data[first - 1] : -1;
      for (let g = first; g * m < ns; g++) {
        const last = Math.min(g * m + m, ns) - 1;
        p = ids.intern(p, streamAt(last));
        out.push(p);
      }
    }
  }
  hashStart[t.count] = out.length;
  return { ...t, blockSize: newBlockSize, hashStart, hashIds: out.toArray() };
}
