/**
 * Router parameters with SGLang's defaults. Source: sgl-model-gateway
 * `bindings/python/sglang_router/router_args.py` @61c660a (the newest CLI defaults; the older
 * `sgl-router/py_src/sglang_router/router_args.py` used 0.5 / 32 / 1.0001 / 60 s / 2^24).
 */
import type { RouterConfigInput } from "../../config/types.js";
import type { RouterConfig } from "./types.js";

export const ROUTER_DEFAULTS: RouterConfig = {
  policy: "cache_aware",
  /** `--cache-threshold`: route to the matched worker when match rate > this. */
  cacheThreshold: 0.3,
  /** `--balance-abs-threshold`: imbalanced needs max - min > this (requests; chars for bucket). */
  balanceAbsThreshold: 64,
  /** `--balance-rel-threshold`: imbalanced also needs max > min * this. */
  balanceRelThreshold: 1.5,
  /** `--eviction-interval` (s). */
  evictionIntervalS: 120,
  /**
   * `--max-tree-size`: per-worker cap of the approximate tree (SGLang chars; ours tokens, so at ~4
   * chars per token ours remembers 4x more). No chars-per-token factor: on the Mooncake trace a
   * factor of 4 (here, in bucket's bands and thresholds) changed no routing decision at 8 replicas
   * and hit rates by < 0.002 at 2-4 (examples/mooncake/README.md); match rates are unit-free.
   */
  maxTreeSize: 2 ** 26,
  /** `--worker-load-check-interval` (s): LoadMonitor poll period. */
  loadPollIntervalS: 10,
  /** `--bucket-adjust-interval-secs` (s). */
  bucketAdjustIntervalS: 5,
};

/** Fills every absent router field with its SGLang default. */
export function resolveRouterConfig(input: RouterConfigInput | undefined): RouterConfig {
  const i = input ?? {};
  const d = ROUTER_DEFAULTS;
  return {
    policy: i.policy ?? d.policy,
    cacheThreshold: i.cacheThreshold ?? d.cacheThreshold,
    balanceAbsThreshold: i.balanceAbsThreshold ?? d.balanceAbsThreshold,
    balanceRelThreshold: i.balanceRelThreshold ?? d.balanceRelThreshold,
    evictionIntervalS: i.evictionIntervalS ?? d.evictionIntervalS,
    maxTreeSize: i.maxTreeSize ?? d.maxTreeSize,
    loadPollIntervalS: i.loadPollIntervalS ?? d.loadPollIntervalS,
    bucketAdjustIntervalS: i.bucketAdjustIntervalS ?? d.bucketAdjustIntervalS,
  };
}
