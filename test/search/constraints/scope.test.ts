import { describe, expect, it } from "vitest";
import { compileConstraints } from "../../../src/search/constraints/compile.js";
import { CONSTRAINT_VARIABLES, constraintScope } from "../../../src/search/constraints/scope.js";
import { deployment } from "../make-points.js";

describe("constraintScope", () => {
  it("derives gpuCount, catalog GPU facts and the hourly GPU cost", () => {
    const s = constraintScope(deployment({ gpu: "h100_sxm", tp: 2, replicas: 4, kvCache: { l2: { capacityGb: 256, media: "host_dram" } } }));
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
    const s = constraintScope(deployment({ gpu: "tpu_v9" }));
    expect(s.gpuMemGb).toBeUndefined();
    expect(s.usdPerHour).toBeUndefined();
    expect(compileConstraints(["usdPerHour <= 1"]).allows(s)).toBe(true);
  });

  it("sets every documented name for a full deployment", () => {
    const s = constraintScope(deployment({ kvCache: { l2: { capacityGb: 64, media: "host_dram" }, l3: { media: "nvme", capacityGb: 1024, shared: true } } }));
    expect(Object.keys(s).sort()).toEqual(Object.keys(CONSTRAINT_VARIABLES).sort());
  });
});
