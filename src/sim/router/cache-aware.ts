/**
 * SGLang `policies/cache_aware.rs` (sgl-model-gateway), default policy of the router:
 *
 *   loads = router-local in-flight counts of ALL workers; min, max over them
 *   imbalanced = (max - min) > balanceAbs && max > min * balanceRel   (f32 like the Rust)
 *   imbalanced:  w = argmin load (first minimum); tree.insert(prompt, w)       ["shortest queue"]
 *   else:        (matched, w*) = tree.prefixMatch(prompt); rate = matched / prompt chars (0 if empty)
 *                w = rate > cacheThreshold ? w* : argmin load; tree.insert(prompt, w)
 *
 * The low-match fallback is the newest gateway's least-loaded worker; the older sgl-router took the
 * tenant with the smallest tree (`get_smallest_tenant`). Eviction runs every `evictionIntervalS` from
 * `housekeeping` (SGLang: a background thread, never on insert), shrinking each worker whose tree
 * share exceeds `maxTreeSize` characters. Rates are compared in f32 as in the Rust.
 *
 * Prompt characters are input tokens (see approx-tree.ts). When several workers own the deepest
 * matched node, w* is the one that touched it last (SGLang: an arbitrary one; see
 * `ApproxTree.prefixMatch`), which keeps a conversation on the worker it last went to.
 */
import type { RouterConfig, RouteRequest } from "./types.js";
import { ApproxTree } from "./approx-tree.js";
import { argmin, BaseRouter, isImbalanced, Periodic } from "./base-router.js";

/** How the router decided, counted per route (diagnostics and tests). */
export interface CacheAwareStats {
  /** Shortest-queue routes because loads were imbalanced. */
  imbalanced: number;
  /** Routes to the matched worker (rate > threshold). */
  cacheHit: number;
  /** Routes to the least-loaded worker because the match rate was at or below the threshold. */
  lowMatch: number;
  /** Eviction passes run. */
  evictions: number;
}

export class CacheAwareRouter extends BaseRouter {
  readonly policy = "cache_aware" as const;
  readonly tree: ApproxTree;
  readonly stats: CacheAwareStats = { imbalanced: 0, cacheHit: 0, lowMatch: 0, evictions: 0 };
  private readonly cacheThresholdF32: number;
  private readonly absThreshold: number;
  private readonly relThreshold: number;
  private readonly maxTreeSize: number;
  private readonly eviction: Periodic;

  constructor(config: RouterConfig, numWorkers: number) {
    super(numWorkers);
    this.tree = new ApproxTree(numWorkers);
    this.cacheThresholdF32 = Math.fround(config.cacheThreshold);
    this.absThreshold = config.balanceAbsThreshold;
    this.relThreshold = config.balanceRelThreshold;
    this.maxTreeSize = config.maxTreeSize;
    this.eviction = new Periodic(config.evictionIntervalS);
  }

  route(req: RouteRequest, _nowUs: number): number {
    const loads = this.inFlight;
    let min = loads[0];
    let max = loads[0];
    for (let i = 1; i < loads.length; i++) {
      const l = loads[i];
      if (l < min) min = l;
      if (l > max) max = l;
    }
    let w: number;
    if (isImbalanced(max, min, this.absThreshold, this.relThreshold)) {
      w = argmin(loads);
      this.stats.imbalanced++;
    } else {
      this.tree.prefixMatch(req);
      const input = req.inputTokens;
      const rate = input > 0 ? Math.fround(Math.fround(this.tree.matchedChars) / Math.fround(input)) : 0;
      if (rate > this.cacheThresholdF32 && this.tree.matchedTenant >= 0) {
        w = this.tree.matchedTenant;
        this.stats.cacheHit++;
      } else {
        w = argmin(loads);
        this.stats.lowMatch++;
      }
    }
    this.tree.insert(req, w);
    return this.dispatch(w);
  }

  /** Runs the tree eviction when due (every `evictionIntervalS`); returns the next due time, µs. */
  override housekeeping(nowUs: number): number {
    if (this.eviction.due(nowUs)) {
      this.tree.evictOverSize(this.maxTreeSize);
      this.stats.evictions++;
    }
    return this.eviction.nextUs;
  }
}
