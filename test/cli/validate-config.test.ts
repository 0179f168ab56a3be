import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { testTempDir } from "../helpers/tmp.js";

const dir = testTempDir("hisim-validate-").path;
function file(name: string, content: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

describe("validate config", () => {
  it("accepts a valid deployment", async () => {
    const p = file("dep.json", { model: "qwen3-32b", gpu: "h100_sxm", tp: 2 });
    const r = await cli("validate", "config", p);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid deployment/);
  });

  it.each([
    ["unknown field", { model: "qwen3-32b", gpu: "h100_sxm", tpp: 2 }, /\/tpp: unknown field/],
    ["unknown model", { model: "gpt-9", gpu: "h100_sxm" }, /\/model: unknown model "gpt-9"; expected one of qwen3-8b/],
    ["unknown gpu", { model: "qwen3-32b", gpu: "tpu" }, /\/gpu: unknown GPU "tpu"/],
    ["tp not dividing heads", { model: "qwen3-32b", gpu: "h100_sxm", tp: 3 }, /\/tp: tp=3 does not divide the 64 attention heads/],
    ["bad enum", { model: "qwen3-32b", gpu: "h100_sxm", weights: "fp4" }, /\/weights: expected one of "bf16", "fp8", "int4"/],
    ["unknown engine version", { model: "qwen3-32b", gpu: "h100_sxm", engine: { version: "0.4.0" } }, /\/engine\/version: expected one of "0\.5\.1", .*"0\.5\.9", .*"0\.12\.0"/],
    ["vLLM version on SGLang", { model: "qwen3-32b", gpu: "h100_sxm", engine: { kind: "sglang", version: "0.12.0" } }, /\/engine\/version: "0\.12\.0" is not a SGLang release the simulator models; expected one of "0\.5\.1", .*"0\.5\.9"/],
    ["SGLang version on vLLM", { model: "qwen3-32b", gpu: "h100_sxm", engine: { kind: "vllm", version: "0.5.9" } }, /\/engine\/version: "0\.5\.9" is not a vLLM release the simulator models; expected one of "0\.10\.0", .*"0\.12\.0"/],
    ["l3 without l2", { model: "qwen3-32b", gpu: "h100_sxm", kvCache: { l3: { media: "nvme", capacityGb: 100 } } }, /an L3 tier needs an L2 tier/],
    ["l2 media in l3", { model: "qwen3-32b", gpu: "h100_sxm", kvCache: { l2: { capacityGb: 10 }, l3: { media: "host_dram", capacityGb: 100 } } }, /expected an L3 \(storage\) medium/],
  ])("rejects %s with file, path and expectation (exit 2)", async (_name, content, pattern) => {
    const p = file(`bad-${_name.replace(/\W+/g, "-")}.json`, content);
    const r = await cli("validate", "config", p);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(p);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });

  it("reports every problem, not just the first", async () => {
    const p = file("many.json", { model: "qwen3-32b", gpu: "h100_sxm", tp: 0, weights: "x", extra: 1 });
    const r = await cli("validate", "config", p);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/tp/);
    expect(r.stderr).toMatch(/\/weights/);
    expect(r.stderr).toMatch(/\/extra/);
  });

  it("rejects malformed JSON with the position", async () => {
    const p = file("broken.json", '{ "model": "qwen3-32b",\n  "gpu": }');
    const r = await cli("validate", "config", p);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/broken\.json: not valid JSON/);
  });

  it("rejects a missing file and an unrecognisable one", async () => {
    expect((await cli("validate", "config", join(dir, "nope.json"))).code).toBe(2);
    const r = await cli("validate", "config", file("what.json", { hello: 1 }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot tell what this file is/);
  });

  it("validates workloads by kind", async () => {
    const ok = file("wl.json", { kind: "closed-loop", concurrency: 4, requests: 40, inputTokens: { fixed: 128 }, outputTokens: { fixed: 16 } });
    expect((await cli("validate", "config", ok)).code).toBe(0);
    const bad = file("wl-bad.json", { kind: "synthetic", requests: 10, arrival: { process: "gamma", ratePerS: 1 }, inputTokens: { uniform: [10, 5] }, outputTokens: { fixed: 1 } });
    const r = await cli("validate", "config", bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/arrival\/cv: is required/);
    expect(r.stderr).toMatch(/\/inputTokens\/uniform: expected \[lo, hi\]/);
    const unknownKind = file("wl-kind.json", { kind: "poisson" });
    expect((await cli("validate", "config", unknownKind)).code).toBe(2);
  });

  it("reads a Hugging Face config.json as a model", async () => {
    const p = file("config.json", {
      architectures: ["LlamaForCausalLM"], hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32,
      num_key_value_heads: 8, intermediate_size: 14336, vocab_size: 128256, max_position_embeddings: 131072,
    });
    const r = await cli("validate", "config", p);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hf-config/);
  });

  it.each([
    ["p50 e2e <= 1500 ms with p50 TTFT <= 2000 ms", { percentile: 50, max: 2000 }, { percentile: 50, max: 1500 }],
    ["p99 e2e <= 1000 ms with p99 TTFT <= 2000 ms", { percentile: 99, max: 2000 }, { percentile: 99, max: 1000 }],
  ])("accepts %s: upper bounds never contradict, the TTFT target is merely redundant", async (_what, ttftMs, e2eMs) => {
    const p = file(`slo-${e2eMs.percentile}.json`, {
      name: "x", model: "qwen3-8b",
      workload: { kind: "closed-loop", concurrency: 1, requests: 1, inputTokens: { fixed: 10 }, outputTokens: { fixed: 10 } },
      targets: { ttftMs, tpotMs: { percentile: 99, max: 50 }, e2eMs },
    });
    const r = await cli("validate", "config", p);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("validate config with $schema", () => {
  it("takes the kind from $schema, not from the fields", async () => {
    // A deployment's fields under an SLO spec's $schema: checked as an SLO spec.
    const p = file("named.json", { $schema: "../schemas/slo-spec.schema.json", model: "qwen3-32b", gpu: "h100_sxm" });
    const r = await cli("validate", "config", p);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/gpu: unknown field/);
    expect(r.stderr).toMatch(/\/targets: is required/);
  });

  it("accepts $schema in any input and reports the kind", async () => {
    const p = file("dep-schema.json", { $schema: "node_modules/hisim-tune/schemas/deployment.schema.json", model: "qwen3-32b", gpu: "h100_sxm" });
    const r = await cli("validate", "config", p);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid deployment/);
  });

  it("an unknown $schema is an input error at /$schema listing the shipped files", async () => {
    const p = file("unknown-schema.json", { $schema: "https://example.org/other.schema.json", model: "qwen3-32b", gpu: "h100_sxm" });
    const r = await cli("validate", "config", p);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/\$schema: names no schema of hisim-tune; expected a path ending in one of slo-spec\.schema\.json/);
  });

  it("checks a price list's GPU ids", async () => {
    const p = file("prices.json", { name: "mine", gpuUsdPerHour: { h100_sxm: 2, h999: 1 } });
    const r = await cli("validate", "config", p);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/gpuUsdPerHour\/h999: unknown GPU/);
  });
});

describe("--version", () => {
  it("prints the package version", async () => {
    const { readFileSync } = await import("node:fs");
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    const r = await cli("--version");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });
});
