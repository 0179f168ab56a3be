/**
 * The copy operations a HiCache controller has in flight, kept on a free list so a long run reuses a
 * handful of objects. The cluster's event queue carries only the operation id; the controller looks
 * the operation up when its I/O event fires. Mirrors SGLang's `CacheOperation` (GPU -> host backup)
 * and `StorageOperation` (host -> storage backup) in `managers/cache_controller.py`.
 */

/** What an operation copies. */
export const enum CacheOpKind {
  /** GPU -> host backup of tree nodes (HiCacheController.write). */
  Backup = 1,
  /** Host -> storage backup of block ids (HiCacheController.write_storage). */
  StorageWrite = 2,
}

export interface CacheOperation {
  kind: CacheOpKind;
  /** Deepest locked node (backup), unlocked when the copy lands; 0 for storage writes. */
  node: number;
  /** Nodes (backup) or block ids (storage write), shallow first. */
  items: Int32Array;
  count: number;
  /** Free-list link. */
  next: number;
}

/** A free list of CacheOperation objects addressed by id. */
export class CacheOperationPool {
  private readonly ops: CacheOperation[] = [];
  private free = -1;

  /** Starts an operation; returns its id (reusing a finished one's when there is one). */
  take(kind: CacheOpKind, node: number, items: Int32Array, count: number): number {
    let id = this.free;
    if (id >= 0) {
      const op = this.ops[id];
      this.free = op.next;
      op.kind = kind;
      op.node = node;
      op.items = items;
      op.count = count;
      op.next = -1;
    } else {
      id = this.ops.length;
      this.ops.push({ kind, node, items, count, next: -1 });
    }
    return id;
  }

  get(id: number): CacheOperation {
    return this.ops[id];
  }

  /** The operation finished: its id may be reused. */
  give(id: number): void {
    this.ops[id].next = this.free;
    this.free = id;
  }
}
