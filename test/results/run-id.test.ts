import { describe, expect, it } from "vitest";
import { canonicalJson, shortHash } from "../../src/results/content-hash.js";
import { hashInputs, makeRunId, RUN_ID_RE, slugify } from "../../src/results/run-id.js";

const NOW = new Date(Date.UTC(2026, 10, 23, 10, 15, 0));

describe("run ids", () => {
  it("is UTC timestamp, slug of the SLO name and 6 hex of the inputs' hash", () => {
    const id = makeRunId("Chat Qwen3-32B", "a1b2c3", NOW);
    expect(id).toBe("20261123-101500-chat-qwen3-32b-a1b2c3");
    expect(RUN_ID_RE.test(id)).toBe(true);
  });

  it("hashes canonical JSON: key order does not matter, values do", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(hashInputs({ a: 1, b: 2 })).toBe(hashInputs({ b: 2, a: 1 }));
    expect(hashInputs({ a: 1, b: 2 })).not.toBe(hashInputs({ a: 1, b: 3 }));
    expect(hashInputs({})).toMatch(/^[0-9a-f]{6}$/);
    // sha256("{}") = 44136fa3...
    expect(hashInputs({})).toBe("44136f");
    expect(shortHash({ b: [1], a: "x" })).toBe(shortHash({ a: "x", b: [1] }));
    expect(shortHash({})).toBe("44136fa355b3");
  });

  it("slugifies names", () => {
    expect(slugify("  Nightly / H100 vs H200!! ")).toBe("nightly-h100-vs-h200");
    expect(slugify("***")).toBe("run");
    expect(slugify("x".repeat(80))).toHaveLength(40);
  });
});
