import { describe, expect, it } from "vitest";
import type { SearchSpace } from "../../../src/config/types.js";
import { InputError } from "../../../src/errors.js";
import { compileConstraints } from "../../../src/search/constraints/compile.js";
import { assertSatisfiable, contradictory, DEFAULT_MAX_REPLICAS } from "../../../src/search/constraints/satisfiable.js";
import { lookupGpu, type ConstraintScope } from "../../../src/search/constraints/scope.js";
import { rngStream } from "../../../src/sim/rng.js";
import { TEST_PRICES } from "../../helpers/prices.js";

const SPACE: SearchSpace = { gpus: ["h100_sxm", "a100_sxm"], tp: [1, 2, 4, 8], maxReplicas: 8 };
/** GPU prices from the hand-written test table (a100 $1.79, h100 $2.99 per GPU-hour). */
const contra = (space: SearchSpace) => contradictory(space, { gpuFacts: (id) => lookupGpu(id, TEST_PRICES) });

describe("contradictory", () => {
  it("is null when some configuration satisfies every constraint", () => {
    expect(contra({ ...SPACE, constraints: ["tp * replicas <= 8", 'gpu == "a100_sxm"', "tp >= 4"] })).toBeNull();
    expect(contra({ ...SPACE })).toBeNull();
  });

  it("names an irreducible conflicting subset, leaving out unrelated constraints", () => {
    const c = contra({
      ...SPACE,
      constraints: ["tp * replicas >= 16", "replicas <= 2", 'gpu == "a100_sxm"', "tp <= 4", 'weights == "bf16"'],
    });
    expect(c).not.toBeNull();
    expect(c!.indices).toEqual([0, 1, 3]);
    expect(c!.message).toMatch(/constraints 0 \("tp \* replicas >= 16"\), 1 \("replicas <= 2"\), 3 \("tp <= 4"\) together/);
  });

  it("reports a constraint that no configuration can meet on its own", () => {
    const c = contra({ ...SPACE, constraints: ["tp >= 1", "tp > 8"] });
    expect(c!.indices).toEqual([1]);
  });

  it("uses catalog prices: the cheapest config costs one a100 GPU-hour", () => {
    expect(contra({ ...SPACE, constraints: ["usdPerHour <= 1"] })!.indices).toEqual([0]);
    expect(contra({ ...SPACE, constraints: ["usdPerHour <= 2"] })).toBeNull(); // 1 x a100 at $1.79
    expect(contra({ ...SPACE, constraints: ['usdPerHour <= 2', 'gpu == "h100_sxm"'] })!.indices).toEqual([0, 1]);
  });

  it("bounds replicas by maxReplicas, or by maxGpus / tp", () => {
    expect(contra({ ...SPACE, constraints: ["replicas >= 9"] })!.indices).toEqual([0]);
    expect(contra({ gpus: ["h100_sxm"], tp: [1, 2], constraints: [`replicas >= ${DEFAULT_MAX_REPLICAS}`] })).toBeNull();
    expect(contra({ gpus: ["h100_sxm"], tp: [1, 2], constraints: [`replicas > ${DEFAULT_MAX_REPLICAS}`] })).not.toBeNull();
    const g = { gpus: ["h100_sxm"], tp: [2, 4], maxGpus: 8 } satisfies SearchSpace;
    expect(contra({ ...g, constraints: ["tp * replicas >= 8"] })).toBeNull();
    const c = contra({ ...g, constraints: ["tp * replicas >= 10"] });
    expect(c!.message).toMatch(/maxGpus 8/);
    expect(contra({ ...g, constraints: ["tp == 4", "replicas >= 3"] })!.indices).toEqual([0, 1]);
  });

  it("lets KV tiers be absent and ranges take any integer", () => {
    const s: SearchSpace = { ...SPACE, l2CapacityGb: [128, 256], l3: { media: ["nvme"], capacityGb: [1024] }, maxRunningRequests: [16, 512] };
    expect(contra({ ...s, constraints: ["l2CapacityGb == 0", 'l3Media == "none"'] })).toBeNull();
    expect(contra({ ...s, constraints: ["l2CapacityGb > 256"] })!.indices).toEqual([0]);
    expect(contra({ ...s, constraints: ["maxRunningRequests == 100"] })).toBeNull();
    expect(contra({ ...s, constraints: ["maxRunningRequests > 512"] })!.indices).toEqual([0]);
    expect(contra({ ...s, constraints: ["maxRunningRequests * tp >= 4096"] })).toBeNull();
    expect(contra({ ...s, constraints: ["maxRunningRequests * tp > 4096"] })).not.toBeNull();
  });

  it("agrees with brute force over every configuration of small random spaces", () => {
    const templates = [
      (r: () => number) => `tp * replicas <= ${1 + Math.floor(r() * 12)}`,
      (r: () => number) => `tp * replicas >= ${1 + Math.floor(r() * 12)}`,
      (r: () => number) => `replicas <= ${1 + Math.floor(r() * 3)}`,
      (r: () => number) => `tp >= ${2 ** Math.floor(r() * 3)}`,
      (r: () => number) => (r() < 0.5 ? 'gpu == "a100_sxm"' : 'gpu != "a100_sxm"'),
      (r: () => number) => `gpu == "h100_sxm" or tp <= ${2 ** Math.floor(r() * 3)}`,
      (r: () => number) => `usdPerHour <= ${(2 + r() * 20).toFixed(1)}`,
      (r: () => number) => (r() < 0.5 ? 'engine == "vllm"' : 'engine == "sglang" and routerPolicy != "bucket"'),
      (r: () => number) => `l2CapacityGb ${r() < 0.5 ? "==" : ">"} 0`,
    ];
    const space: SearchSpace = {
      gpus: ["h100_sxm", "a100_sxm"], tp: [1, 2, 4], maxReplicas: 3, engines: ["sglang", "vllm"],
      routerPolicies: ["bucket", "round_robin"], l2CapacityGb: [64], weights: ["bf16"], kvDtype: ["bf16"],
      evictionPolicies: ["lru"], prefetchPolicies: ["best_effort"], writePolicies: ["write_through"],
    };
    const prices: Record<string, number> = { h100_sxm: 2.99, a100_sxm: 1.79 };
    const rng = rngStream(7, "test.constraints");
    const r = () => rng.next();
    let unsat = 0;
    for (let trial = 0; trial < 120; trial++) {
      const k = 1 + Math.floor(r() * 4);
      const constraints = Array.from({ length: k }, () => templates[Math.floor(r() * templates.length)](r));
      const s = { ...space, constraints };
      const set = compileConstraints(constraints, { space: s });
      let any = false;
      for (const gpu of space.gpus) for (const tp of space.tp) for (let replicas = 1; replicas <= 3; replicas++)
        for (const engine of space.engines!) for (const routerPolicy of space.routerPolicies!) for (const l2 of [0, 64]) {
          const sc: ConstraintScope = {
            gpu, tp, replicas, gpuCount: tp * replicas, engine, routerPolicy, l2CapacityGb: l2,
            gpuUsdPerHour: prices[gpu], usdPerHour: tp * replicas * prices[gpu],
          };
          if (set.allows(sc)) any = true;
        }
      const c = contra(s);
      expect(c === null, `${JSON.stringify(constraints)}`).toBe(any);
      if (c) {
        unsat++;
        // The named subset alone is contradictory too.
        expect(contra({ ...s, constraints: c.indices.map((i) => constraints[i]) })).not.toBeNull();
      }
    }
    expect(unsat).toBeGreaterThan(5);
  });
});

describe("assertSatisfiable", () => {
  it("throws an InputError naming the file and the constraints", () => {
    try {
      assertSatisfiable({ ...SPACE, constraints: ["tp >= 1", "tp > 8"] }, "spaces/x.json", TEST_PRICES);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).issues[0]).toMatchObject({ file: "spaces/x.json", path: "/constraints/1" });
    }
    try {
      assertSatisfiable({ ...SPACE, constraints: ["tp >= 4", "tp <= 2"] }, "x.json", TEST_PRICES);
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).issues[0]).toMatchObject({ file: "x.json", path: "/constraints" });
      expect((e as InputError).message).toMatch(/constraints 0 \("tp >= 4"\), 1 \("tp <= 2"\) together/);
    }
  });

  it("returns the compiled set when satisfiable", () => {
    expect(assertSatisfiable({ ...SPACE, constraints: ["tp <= 4"] }, undefined, TEST_PRICES).size).toBe(1);
  });
});
