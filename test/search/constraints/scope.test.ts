import { describe, expect, it } from "vitest";
import { compileConstraints } from "../../../src/search/constraints/compile.js";
import { CONSTRAINT_VARIABLES, constraintScope, lookupGpu } from "../../../src/search/constraints/scope.js";
import type { Deployment } from "../../../src/config/types.js";
import { TEST_PRICES } from "../../helpers/prices.js";

/** The scope with GPU prices from the hand-written test table (h100 $2.99 per GPU-hour). */
const scopeOf = (d: Deployment) => constraintScope(d, lookupGpu(d.gpu, TEST_PRICES));
import { deployment } from "../make-points.js";

describe("constraintScope", () => {
  it("derives gpuCount, catalog GPU facts and the hourly GPU cost", () => {
    const s = scopeOf(deployment({ gpu: "h100_sxm", tp: 2, replicas: 4, kvCache: { l2: { capacityGb: 256, media: "host_dram" } } }));
    expect(s.gpuCount).toBe(8);
    expect(s.gpuMemGb).toBe(80);
    expect(s.gpuUsdPerHour).toBe(2.99);
    expect(s.usdPerHour).toBeCloseTo(8 * 2.99, 10);
    expect(s.l2CapacityGb).toBe(256);
    expect(s.l3CapacityGb).toBe(0);
    expect(s.l3Media).toBe("none");
    expect(s.engine).toBe("sglang");
    expect(s.routerPolicy).toBe("cache_aware");
  });

  it("leaves catalog-derived names unknown for an unknown GPU", () => {
    const s = scopeOf(deployment({ gpu: "tpu_v9" }));
    expect(s.gpuMemGb).toBeUndefined();
    expect(s.usdPerHour).toBeUndefined();
    expect(compileConstraints(["usdPerHour <= 1"]).allows(s)).toBe(true);
  });

  it("sets every documented name for a full deployment", () => {
    const s = scopeOf(deployment({ kvCache: { l2: { capacityGb: 64, media: "host_dram" }, l3: { media: "nvme", capacityGb: 1024, shared: true } } }));
    expect(Object.keys(s).sort()).toEqual(Object.keys(CONSTRAINT_VARIABLES).sort());
  });
});
