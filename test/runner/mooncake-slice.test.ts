/**
 * Routing on real prefix reuse: the bundled 20-minute slice of the Mooncake conversation trace
 * (3,658 requests, 512-token blocks) on 8 replicas of qwen3-32b, h100_sxm TP2, with the bundled
 * kernel-table estimator. The full-trace numbers are in examples/mooncake/README.md.
 */
import { TEST_PRICES } from "../helpers/prices.js";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import type { Deployment, DeploymentInput } from "../../src/config/types.js";
import { validateSchema } from "../../src/config/validate.js";
import { readTrace } from "../../src/io/traces/read-trace.js";
import { estimatorFor, prepareDeployment, runSimulation } from "../../src/runner/prepare.js";
import type { SimulationSummary } from "../../src/sim/cluster/summary.js";
import type { StepEstimator } from "../../src/sim/estimator/types.js";
import type { RequestTable } from "../../src/sim/workload/request-table.js";

const SLICE = fileURLToPath(new URL("../../slo-specs/traces/mooncake-conversation-slice.jsonl", import.meta.url));

let table: RequestTable;
let estimator: StepEstimator;
const cache = new Map<string, SimulationSummary>();

function sim(extra: Partial<DeploymentInput>): SimulationSummary {
  const key = JSON.stringify(extra);
  let s = cache.get(key);
  if (!s) {
    const d = validateSchema<Deployment>("deployment", { model: "qwen3-32b", gpu: "h100_sxm", tp: 2, replicas: 8, ...structuredClone(extra) });
    const dep = prepareDeployment(d, undefined, { prices: TEST_PRICES });
    estimator ??= estimatorFor(dep);
    s = runSimulation(dep, table, 1, { estimator }).summary;
    cache.set(key, s);
  }
  return s;
}

/** Host memory of 162 GB = 618k tokens, about twice the GPU pool (HiCache's default --hicache-ratio 2; 2.2x the 285k-token pool of SGLang 0.5.9's rule). */
const L2 = { capacityGb: 162 };

describe("Mooncake conversation slice, 8 x qwen3-32b h100 tp2", () => {
  beforeAll(async () => {
    table = (await readTrace(SLICE, { format: "mooncake" })).table;
  });

  it("reads the whole slice; nothing is longer than the KV pool", () => {
    expect(table.count).toBe(3658);
    const s = sim({ router: { policy: "round_robin" } });
    expect(s.completed).toBe(3658);
    expect(s.rejected).toBe(0);
    expect(s.perReplica.map((r) => r.completed).sort()).toEqual([457, 457, 457, 457, 457, 457, 458, 458]);
  });

  it("cache_aware reaches at least 1.5x round_robin's prefix hit rate, with lower mean TTFT", () => {
    const rr = sim({ router: { policy: "round_robin" } });
    const ca = sim({ router: { policy: "cache_aware" } });
    // Measured (examples/mooncake/README.md, 2026-12-04): 0.050 vs 0.098 (2.0x); mean TTFT 3.1 s vs 2.4 s.
    expect(ca.prefixHitRate.total).toBeGreaterThanOrEqual(1.5 * rr.prefixHitRate.total);
    expect(ca.ttftMs.mean).toBeLessThan(rr.ttftMs.mean);
    // Neither can beat the slice's unbounded-cache hit rate (< 0.374, the full trace's).
    expect(ca.prefixHitRate.total).toBeLessThan(0.374);
  });

  it("a shared L3 pool raises cache_aware's hit rate further, up to near the ideal for any router", () => {
    const ca = sim({ router: { policy: "cache_aware" } });
    const caL2 = sim({ router: { policy: "cache_aware" }, kvCache: { l2: L2 } });
    const pool = (policy: "cache_aware" | "round_robin") =>
      sim({ router: { policy }, kvCache: { l2: L2, l3: { media: "remote_pool", capacityGb: 30_000, shared: true }, prefetchPolicy: "wait_complete" } });
    // Measured (2026-12-04): 0.098 (GPU) -> 0.202 (+L2) -> 0.323 (+shared L3); round_robin + shared L3: 0.322.
    expect(caL2.prefixHitRate.total).toBeGreaterThan(ca.prefixHitRate.total * 1.3);
    expect(pool("cache_aware").prefixHitRate.total).toBeGreaterThan(caL2.prefixHitRate.total * 1.3);
    expect(pool("cache_aware").prefixHitRate.l3).toBeGreaterThan(0.05);
    expect(pool("cache_aware").ttftMs.mean).toBeLessThan(caL2.ttftMs.mean);
    // A global pool makes the hit rate (almost) independent of the router.
    expect(pool("round_robin").prefixHitRate.total).toBeGreaterThan(0.9 * pool("cache_aware").prefixHitRate.total);
  });
});
