/** Cluster cost under a price list, hand-computed. */
import { describe, expect, it } from "vitest";
import { clusterCost } from "../../../src/sim/deployment/cost.js";
import { TEST_PRICES } from "../../helpers/prices.js";

describe("clusterCost", () => {
  it("charges GPUs, L2 host memory per replica and a shared L3 pool once", () => {
    const c = clusterCost({ gpu: "h100_sxm", tp: 2, replicas: 4, l2: { capacityGb: 256 }, l3: { media: "nvme", capacityGb: 4096, shared: true } }, TEST_PRICES);
    expect(c.gpuUsdPerHour).toBeCloseTo(8 * 2.99, 10);
    expect(c.l2UsdPerHour).toBeCloseTo(4 * 256 * 0.003, 10);
    expect(c.l3UsdPerHour).toBeCloseTo(4096 * 0.00011, 10);
    expect(c.totalUsdPerHour).toBeCloseTo(23.92 + 3.072 + 0.45056, 10);
  });

  it("charges a per-replica L3 once per replica", () => {
    const c = clusterCost({ gpu: "l40s", tp: 1, replicas: 3, l3: { media: "remote_pool", capacityGb: 1000, shared: false } }, TEST_PRICES);
    expect(c.totalUsdPerHour).toBeCloseTo(3 * 0.99 + 3 * 1000 * 0.0004, 10);
  });

  it("names the list when a GPU has no price (a bug: the edge checks lists first)", () => {
    expect(() => clusterCost({ gpu: "tpu", tp: 1, replicas: 1 }, TEST_PRICES)).toThrow(/test-prices has no price for GPU "tpu"/);
  });
});
