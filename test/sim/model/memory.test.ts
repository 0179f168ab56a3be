import { describe, expect, it } from "vitest";
import { listGpus, listModels, resolveGpu, resolveModel } from "../../../src/catalog/index.js";
import {
  defaultMemFraction, kvBytesPerTokenPerGpu, kvBytesPerTokenPerReplica, kvHeadsPerRank, planMemory, totalParams,
  weightBytesPerGpu, GIB,
} from "../../../src/sim/model/memory.js";

describe("KV bytes per token", () => {
  it.each([
    // Hand-computed: 2 (K,V) * layers * kvHeads * headDim * bytes, MLA (512 + 64) * 61 * bytes.
    ["llama-3.1-70b", "bf16", 1, 2 * 80 * 8 * 128 * 2], // 327,680 B = 320 KiB (Mooncake paper)
    ["llama-3.1-8b", "bf16", 1, 131072],
    ["qwen3-32b", "bf16", 1, 262144],
    ["qwen3-32b", "bf16", 2, 131072],
    ["qwen3-235b-a22b", "bf16", 1, 192512],
    ["qwen3-235b-a22b", "bf16", 8, 2 * 94 * 1 * 128 * 2], // 4 KV heads over 8 ranks: replicated, 1 per rank
    ["deepseek-v3", "bf16", 1, 70272],
    ["deepseek-v3", "bf16", 8, 70272], // MLA latent is not divided by TP
    ["deepseek-v3", "fp8", 1, 35136],
    ["llama-3.1-70b", "fp8", 4, 2 * 80 * 2 * 128],
  ] as const)("%s %s tp=%i -> %i bytes", (id, dtype, tp, bytes) => {
    expect(kvBytesPerTokenPerGpu(resolveModel(id), dtype, tp)).toBe(bytes);
  });

  it("replica-wide KV bytes sum the ranks for GQA but count MLA once", () => {
    expect(kvBytesPerTokenPerReplica(resolveModel("qwen3-32b"), "bf16", 4)).toBe(262144);
    expect(kvBytesPerTokenPerReplica(resolveModel("deepseek-v3"), "bf16", 8)).toBe(70272);
  });

  it("replicates KV heads when tp exceeds them", () => {
    expect(kvHeadsPerRank(resolveModel("qwen3-235b-a22b"), 8)).toBe(1);
    expect(kvHeadsPerRank(resolveModel("qwen3-32b"), 2)).toBe(4);
  });
});

describe("parameter counts match the published sizes", () => {
  it.each([
    ["qwen3-8b", 8.19],
    ["qwen3-32b", 32.8],
    ["qwen3-235b-a22b", 235.1],
    ["qwen3-coder-480b-a35b", 480.2],
    ["llama-3.1-8b", 8.03],
    ["llama-3.1-70b", 70.6],
    ["deepseek-v3", 671.0],
  ] as const)("%s ~ %sB", (id, billions) => {
    expect(totalParams(resolveModel(id)) / 1e9).toBeCloseTo(billions, 0);
  });

  it("fp8 halves and int4 quarters the quantizable weights", () => {
    const m = resolveModel("llama-3.1-70b");
    const bf16 = weightBytesPerGpu(m, "bf16", 1);
    const fp8 = weightBytesPerGpu(m, "fp8", 1);
    const int4 = weightBytesPerGpu(m, "int4", 1);
    // Embedding + LM head stay bf16: 2 * 128256 * 8192 * 2 bytes.
    const embed = 2 * 128256 * 8192 * 2;
    expect(fp8 - embed / 2).toBeGreaterThan((bf16 - embed) / 2 - 1e6);
    expect(fp8).toBeLessThan(bf16 * 0.52);
    expect(int4).toBeLessThan(fp8 * 0.56);
  });
});

describe("memory fit per model family", () => {
  const h100 = resolveGpu("h100_sxm");
  const plan = (id: string, tp: number, weights: "bf16" | "fp8" = "bf16", gpu = h100) =>
    planMemory({
      model: resolveModel(id), gpu, tp, weights, kvDtype: "bf16", engine: "sglang",
      memFractionStatic: defaultMemFraction(gpu, tp, "sglang"), maxBatchTokens: 8192, pageSize: 64,
    });

  it.each([
    ["llama-3.1-8b", 1, "bf16", true],
    ["qwen3-32b", 1, "bf16", true], // 61 GiB of weights leave ~8 GiB of KV
    ["llama-3.1-70b", 1, "bf16", false],
    ["llama-3.1-70b", 2, "bf16", true],
    ["qwen3-235b-a22b", 4, "bf16", false],
    ["qwen3-235b-a22b", 8, "bf16", true],
    ["qwen3-coder-480b-a35b", 8, "bf16", false],
    ["qwen3-coder-480b-a35b", 8, "fp8", true],
    ["deepseek-v3", 8, "fp8", false], // 671B at fp8 does not fit 8x80 GB
  ] as const)("%s tp=%i %s on h100 fits=%s", (id, tp, w, fits) => {
    const p = plan(id, tp, w);
    expect(p.fits).toBe(fits);
    if (!p.fits) expect(p.reason).toMatch(/GiB per GPU/);
    else expect(p.kvPoolTokens % 64).toBe(0);
  });

  it("deepseek-v3 fp8 fits 8x H200", () => {
    expect(plan("deepseek-v3", 8, "fp8", resolveGpu("h200_sxm")).fits).toBe(true);
  });

  it("the KV pool is what memFractionStatic leaves after weights", () => {
    const m = resolveModel("qwen3-32b");
    const p = planMemory({ model: m, gpu: h100, tp: 2, weights: "bf16", kvDtype: "bf16", engine: "sglang",
      memFractionStatic: 0.88, maxBatchTokens: 8192, pageSize: 1 });
    const expected = Math.floor((0.88 * 80 * GIB - weightBytesPerGpu(m, "bf16", 2) - 1.4 * GIB) / 131072);
    expect(p.kvPoolTokens).toBe(expected);
  });

  it("every catalog model and GPU gives a plan without throwing", () => {
    for (const m of listModels()) for (const g of listGpus()) for (const tp of [1, 2, 4, 8]) {
      if (m.numAttentionHeads % tp !== 0) continue;
      const p = planMemory({ model: m, gpu: g, tp, weights: "fp8", kvDtype: "fp8", engine: "vllm",
        memFractionStatic: 0.9, maxBatchTokens: 8192, pageSize: 16 });
      expect(p.kvPoolTokens).toBeGreaterThanOrEqual(0);
    }
  });
});
