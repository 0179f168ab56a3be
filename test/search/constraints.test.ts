import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SearchSpace } from "../../src/config/types.js";
import { InputError } from "../../src/errors.js";
import {
  CONSTRAINT_VARIABLES, DEFAULT_MAX_REPLICAS, assertSatisfiable, compileConstraints, constraintScope, contradictory,
  type ConstraintScope,
} from "../../src/search/constraints.js";
import { rngStream } from "../../src/sim/rng.js";
import { deployment } from "./make-points.js";

const scope: ConstraintScope = {
  tp: 4, replicas: 3, gpuCount: 12, maxRunningRequests: 128, chunkedPrefillSize: 8192, l2CapacityGb: 0,
  l3CapacityGb: 1024, gpuMemGb: 80, gpuUsdPerHour: 2.99, usdPerHour: 35.88, gpu: "h100_sxm", weights: "fp8",
  kvDtype: "bf16", engine: "sglang", routerPolicy: "cache_aware", l3Media: "nvme", evictionPolicy: "lru",
  prefetchPolicy: "best_effort", writePolicy: "write_through",
};

describe("compileConstraints: evaluation", () => {
  const cases: Array<[string, boolean]> = [
    ["tp * replicas <= 32", true],
    ["tp * replicas <= 11", false],
    ["gpuCount == tp * replicas", true],
    ['gpu == "h100_sxm"', true],
    ['gpu != "h100_sxm"', false],
    ['"h100_sxm" == gpu', true],
    ['gpu == "a100_sxm" or tp <= 4', true],
    ['gpu == "a100_sxm" or tp <= 2', false],
    ['weights == "fp8" and kvDtype == "bf16"', true],
    ['not (engine == "vllm")', true],
    ["2 <= tp <= 8", true],
    ["1 < tp < 4", false],
    ["max(tp, replicas) <= 4 and min(tp, replicas) >= 3", true],
    ["usdPerHour < 36 and gpuMemGb * tp >= 320", true],
    ["mod(maxRunningRequests, 64) == 0", true],
    ["l2CapacityGb == 0 or l2CapacityGb >= 64", true],
    ['l3Media == "nvme" ? l3CapacityGb <= 2048 : true', true],
    ['routerPolicy == "cache_aware" xor replicas == 1', true],
    ["chunkedPrefillSize / 1024 >= 8", true],
    ["log2(tp) == 2", true],
    ["-tp < 0", true],
    ["true", true],
  ];
  it.each(cases)("%s -> %s", (expr, expected) => {
    const set = compileConstraints([expr]);
    expect(set.constraints[0].test(scope)).toBe(expected);
    expect(set.violated(scope)).toEqual(expected ? [] : [0]);
  });

  it("reports the indices of every broken constraint", () => {
    const set = compileConstraints(["tp <= 2", "replicas >= 1", 'gpu == "l40s"']);
    expect(set.violated(scope)).toEqual([0, 2]);
    expect(set.allows(scope)).toBe(false);
    expect(set.allows({ ...scope, tp: 2, gpu: "l40s" })).toBe(true);
  });

  it("treats constraints over unknown names as satisfied (stage 1 has no replica count)", () => {
    const set = compileConstraints(["tp * replicas <= 8", "tp <= 4"]);
    expect(set.constraints[0].test({ tp: 8 })).toBeUndefined();
    expect(set.allows({ tp: 8 })).toBe(false); // tp <= 4 is known and broken
    expect(set.violated({ tp: 4 })).toEqual([]);
    expect(set.violated({ tp: 4, replicas: 4 })).toEqual([0]);
  });

  it("compiles nothing for a space without constraints", () => {
    expect(compileConstraints(undefined).size).toBe(0);
    expect(compileConstraints([]).allows({})).toBe(true);
  });
});

describe("compileConstraints: errors", () => {
  const bad: Array<[string, RegExp]> = [
    ["gpus <= 8", /unknown name "gpus".*gpuCount/],
    ["replica <= 8", /unknown name "replica" \(did you mean replicas\?\)/],
    ["tp * ", /cannot parse/],
    ["tp", /is a number, expected a condition/],
    ['gpu < "h100_sxm"', /compares numbers/],
    ["gpu == 3", /compares a string with a number/],
    ['routerPolicy == "cache-aware"', /"cache-aware" is not a possible routerPolicy/],
    ["x = 3", /assignment expressions are not allowed/],
    ["f(x) = 1", /functionassignment expressions are not allowed/],
    ['evaluate("1+1") == 2', /function evaluate\(\) is not allowed/],
    ['import({}) == 1', /function import\(\) is not allowed/],
    ["[1, 2] == tp", /array expressions are not allowed/],
    ["tp.x == 1", /accessor expressions are not allowed/],
    ["tp == 1; replicas == 2", /block expressions are not allowed/],
    ["min() <= 1", /min\(\) takes 1\+ argument/],
    ['max(tp, gpu) <= 1', /max\(\) takes numbers/],
    ["tp and replicas", /"and" combines conditions/],
    ["tp <= 2 ? 1 : true", /same type/],
  ];
  it.each(bad)("%s", (expr, re) => {
    let err: unknown;
    try {
      compileConstraints(["tp >= 1", expr], { file: "space.json" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const issues = (err as InputError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0].file).toBe("space.json");
    expect(issues[0].path).toBe("/constraints/1");
    expect(issues[0].message).toMatch(re);
  });

  it("reports every bad constraint at once", () => {
    try {
      compileConstraints(["foo > 1", "tp >= 1", "tp +"], { file: "s.json" });
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).issues.map((i) => i.path)).toEqual(["/constraints/0", "/constraints/2"]);
    }
  });

  it("checks GPU ids and L3 media against the search space when given", () => {
    const space: SearchSpace = { gpus: ["h100_sxm", "h200_sxm"], tp: [1, 2], l3: { media: ["nvme"], capacityGb: [512] } };
    expect(() => compileConstraints(['gpu != "h100"'], { space })).toThrow(/"h100" is not a possible gpu; expected one of "h100_sxm", "h200_sxm"/);
    expect(() => compileConstraints(['l3Media == "3fs"'], { space })).toThrow(/not a possible l3Media/);
    expect(compileConstraints(['gpu != "h100_sxm" and l3Media != "none"'], { space }).size).toBe(1);
  });

  it("never uses eval or Function", () => {
    const src = readFileSync(new URL("../../src/search/constraints.ts", import.meta.url), "utf8").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
    expect(src).not.toMatch(/\beval\s*\(|new Function\s*\(|mathjs\.evaluate|\bevaluate\s*\(\s*["'`]/);
  });
});

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

const SPACE: SearchSpace = { gpus: ["h100_sxm", "a100_sxm"], tp: [1, 2, 4, 8], maxReplicas: 8 };

describe("contradictory", () => {
  it("is null when some configuration satisfies every constraint", () => {
    expect(contradictory({ ...SPACE, constraints: ["tp * replicas <= 8", 'gpu == "a100_sxm"', "tp >= 4"] })).toBeNull();
    expect(contradictory({ ...SPACE })).toBeNull();
  });

  it("names an irreducible conflicting subset, leaving out unrelated constraints", () => {
    const c = contradictory({
      ...SPACE,
      constraints: ["tp * replicas >= 16", "replicas <= 2", 'gpu == "a100_sxm"', "tp <= 4", 'weights == "bf16"'],
    });
    expect(c).not.toBeNull();
    expect(c!.indices).toEqual([0, 1, 3]);
    expect(c!.message).toMatch(/constraints 0 \("tp \* replicas >= 16"\), 1 \("replicas <= 2"\), 3 \("tp <= 4"\) together/);
  });

  it("reports a constraint that no configuration can meet on its own", () => {
    const c = contradictory({ ...SPACE, constraints: ["tp >= 1", "tp > 8"] });
    expect(c!.indices).toEqual([1]);
  });

  it("uses catalog prices: the cheapest config costs one a100 GPU-hour", () => {
    expect(contradictory({ ...SPACE, constraints: ["usdPerHour <= 1"] })!.indices).toEqual([0]);
    expect(contradictory({ ...SPACE, constraints: ["usdPerHour <= 2"] })).toBeNull(); // 1 x a100 at $1.79
    expect(contradictory({ ...SPACE, constraints: ['usdPerHour <= 2', 'gpu == "h100_sxm"'] })!.indices).toEqual([0, 1]);
  });

  it("bounds replicas by maxReplicas, or by maxGpus / tp", () => {
    expect(contradictory({ ...SPACE, constraints: ["replicas >= 9"] })!.indices).toEqual([0]);
    expect(contradictory({ gpus: ["h100_sxm"], tp: [1, 2], constraints: [`replicas >= ${DEFAULT_MAX_REPLICAS}`] })).toBeNull();
    expect(contradictory({ gpus: ["h100_sxm"], tp: [1, 2], constraints: [`replicas > ${DEFAULT_MAX_REPLICAS}`] })).not.toBeNull();
    const g = { gpus: ["h100_sxm"], tp: [2, 4], maxGpus: 8 } satisfies SearchSpace;
    expect(contradictory({ ...g, constraints: ["tp * replicas >= 8"] })).toBeNull();
    const c = contradictory({ ...g, constraints: ["tp * replicas >= 10"] });
    expect(c!.message).toMatch(/maxGpus 8/);
    expect(contradictory({ ...g, constraints: ["tp == 4", "replicas >= 3"] })!.indices).toEqual([0, 1]);
  });

  it("lets KV tiers be absent and ranges take any integer", () => {
    const s: SearchSpace = { ...SPACE, l2CapacityGb: [128, 256], l3: { media: ["nvme"], capacityGb: [1024] }, maxRunningRequests: [16, 512] };
    expect(contradictory({ ...s, constraints: ["l2CapacityGb == 0", 'l3Media == "none"'] })).toBeNull();
    expect(contradictory({ ...s, constraints: ["l2CapacityGb > 256"] })!.indices).toEqual([0]);
    expect(contradictory({ ...s, constraints: ["maxRunningRequests == 100"] })).toBeNull();
    expect(contradictory({ ...s, constraints: ["maxRunningRequests > 512"] })!.indices).toEqual([0]);
    expect(contradictory({ ...s, constraints: ["maxRunningRequests * tp >= 4096"] })).toBeNull();
    expect(contradictory({ ...s, constraints: ["maxRunningRequests * tp > 4096"] })).not.toBeNull();
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
      const c = contradictory(s);
      expect(c === null, `${JSON.stringify(constraints)}`).toBe(any);
      if (c) {
        unsat++;
        // The named subset alone is contradictory too.
        expect(contradictory({ ...s, constraints: c.indices.map((i) => constraints[i]) })).not.toBeNull();
      }
    }
    expect(unsat).toBeGreaterThan(5);
  });
});

describe("assertSatisfiable", () => {
  it("throws an InputError naming the file and the constraints", () => {
    try {
      assertSatisfiable({ ...SPACE, constraints: ["tp >= 1", "tp > 8"] }, "spaces/x.json");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).issues[0]).toMatchObject({ file: "spaces/x.json", path: "/constraints/1" });
    }
    try {
      assertSatisfiable({ ...SPACE, constraints: ["tp >= 4", "tp <= 2"] }, "x.json");
      expect.unreachable();
    } catch (e) {
      expect((e as InputError).issues[0]).toMatchObject({ file: "x.json", path: "/constraints" });
      expect((e as InputError).message).toMatch(/constraints 0 \("tp >= 4"\), 1 \("tp <= 2"\) together/);
    }
  });

  it("returns the compiled set when satisfiable", () => {
    expect(assertSatisfiable({ ...SPACE, constraints: ["tp <= 4"] }).size).toBe(1);
  });
});
