import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { SearchSpace } from "../../../src/config/types.js";
import { InputError } from "../../../src/errors.js";
import { compileConstraints } from "../../../src/search/constraints/compile.js";
import type { ConstraintScope } from "../../../src/search/constraints/scope.js";

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
    const dir = new URL("../../../src/search/constraints/", import.meta.url);
    const src = readdirSync(dir).map((f) => readFileSync(new URL(f, dir), "utf8")).join("\n").replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "");
    expect(src).not.toMatch(/\beval\s*\(|new Function\s*\(|mathjs\.evaluate|\bevaluate\s*\(\s*["'`]/);
  });
});
