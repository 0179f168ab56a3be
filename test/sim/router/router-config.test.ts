import { describe, expect, it } from "vitest";
import { createRouter, ROUTER_POLICIES } from "../../../src/sim/router/create-router.js";
import { resolveRouterConfig } from "../../../src/sim/router/router-config.js";
import { rngStream } from "../../../src/sim/rng.js";

describe("resolveRouterConfig", () => {
  it("fills SGLang's newest CLI defaults", () => {
    expect(resolveRouterConfig(undefined)).toEqual({
      policy: "cache_aware",
      cacheThreshold: 0.3,
      balanceAbsThreshold: 64,
      balanceRelThreshold: 1.5,
      evictionIntervalS: 120,
      maxTreeSize: 67108864,
      loadPollIntervalS: 10,
      bucketAdjustIntervalS: 5,
    });
  });

  it("keeps every given field", () => {
    const c = resolveRouterConfig({
      policy: "bucket", cacheThreshold: 0.5, balanceAbsThreshold: 32, balanceRelThreshold: 1.0001,
      evictionIntervalS: 60, maxTreeSize: 1 << 24, loadPollIntervalS: 2, bucketAdjustIntervalS: 3,
    });
    expect(c).toEqual({
      policy: "bucket", cacheThreshold: 0.5, balanceAbsThreshold: 32, balanceRelThreshold: 1.0001,
      evictionIntervalS: 60, maxTreeSize: 16777216, loadPollIntervalS: 2, bucketAdjustIntervalS: 3,
    });
    expect(resolveRouterConfig({ cacheThreshold: 0 }).cacheThreshold).toBe(0);
  });
});

describe("createRouter", () => {
  it.each(ROUTER_POLICIES)("builds %s", (policy) => {
    const r = createRouter(resolveRouterConfig({ policy }), 3, rngStream(1, "router"));
    expect(r.policy).toBe(policy);
    expect(r.route({ index: 0, inputTokens: 10, blockSize: 16, hashIds: Int32Array.of(1), hashStart: 0, hashEnd: 1 }, 0)).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ["round_robin", Infinity], ["random", Infinity], ["least_load", Infinity], ["power_of_two", Infinity],
    ["cache_aware", 120e6], ["bucket", 5e6],
  ] as const)("%s asks for housekeeping at %d µs", (policy, first) => {
    const r = createRouter(resolveRouterConfig({ policy }), 2, rngStream(1, "router"));
    expect(r.housekeeping(0)).toBe(first);
  });

  it("covers the schema's policy enum", () => {
    expect([...ROUTER_POLICIES].sort()).toEqual(["bucket", "cache_aware", "least_load", "power_of_two", "random", "round_robin"]);
  });

  it("rejects zero replicas", () => {
    expect(() => createRouter(resolveRouterConfig({ policy: "round_robin" }), 0, rngStream(1, "r"))).toThrow(/replica/);
  });
});
