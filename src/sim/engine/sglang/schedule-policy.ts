/**
 * SGLang's SchedulePolicy (managers/schedule_policy.py) for the policies this simulator models:
 * `fcfs` keeps arrival order; `lpm` (longest prefix match) sorts the waiting queue by cached prefix
 * length, longest first, ties in queue order (`_sort_by_longest_prefix`, a stable sort). Like
 * `_determine_active_policy`, LPM falls back to FCFS when more than 128 requests wait, where
 * matching every one would cost more than it wins.
 */
import { newMatchResult } from "../../cache/match-memo.js";
import type { RadixCache } from "../../cache/radix-cache.js";
import type { RequestTable } from "../../workload/request-table.js";
import type { PrefixCache } from "../prefix-cache.js";
import type { Req } from "../request.js";

/** Queue length above which LPM behaves as FCFS. */
const LPM_MAX_QUEUE = 128;

export class SchedulePolicy {
  private readonly lpm: boolean;
  private readonly match = newMatchResult();
  // Reused sort buffers (the queue is at most LPM_MAX_QUEUE long when sorted).
  private readonly keys = new Int32Array(LPM_MAX_QUEUE);
  private readonly order = new Int32Array(LPM_MAX_QUEUE);
  private readonly reqs: Req[] = [];

  constructor(
    policy: "fcfs" | "lpm",
    private readonly cache: RadixCache,
    private readonly table: RequestTable,
    private readonly prefix: PrefixCache,
  ) {
    this.lpm = policy === "lpm";
  }

  /** calc_priority: reorders `waiting` in place. */
  calcPriority(waiting: Req[]): void {
    if (!this.lpm || waiting.length > LPM_MAX_QUEUE) return;
    const n = waiting.length;
    const ids = this.table.hashIds;
    const keys = this.keys;
    const order = this.order;
    // Match in queue order (each match touches the cache's recency, so the order matters).
    for (let i = 0; i < n; i++) {
      const r = waiting[i];
      const m = this.cache.match(ids, r.hashStart, this.prefix.maxHitBlocks(r), this.match);
      keys[i] = m.l1Blocks + m.l2Blocks;
      order[i] = i;
    }
    // Insertion sort by (prefix blocks desc, queue position asc): a total order, so the result is
    // the stable sort's.
    for (let i = 1; i < n; i++) {
      const o = order[i];
      const k = keys[o];
      let j = i - 1;
      while (j >= 0 && keys[order[j]] < k) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = o;
    }
    const reqs = this.reqs;
    for (let i = 0; i < n; i++) reqs[i] = waiting[order[i]];
    for (let i = 0; i < n; i++) waiting[i] = reqs[i];
  }
}
