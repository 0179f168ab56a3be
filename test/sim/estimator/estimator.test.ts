import { describe, expect, it } from "vitest";
import { listModels, resolveGpu, resolveModel } from "../../../src/catalog/index.js";
import { loadKernelProfiles, loadRooflineFits } from "../../../src/catalog/profiles.js";
import type { WeightDtype } from "../../../src/config/types.js";
import { ENGINE_OVERHEAD } from "../../../src/sim/estimator/engine-overhead.js";
import { createEstimator, summarizeBatch, type EstimatorOptions } from "../../../src/sim/estimator/estimator.js";
import type { Backend } from "../../../src/sim/estimator/kernel-model.js";
import type { BatchEntry } from "../../../src/sim/estimator/types.js";
import { newBatchSummary } from "../../../src/sim/estimator/types.js";
import { rngStream } from "../../../src/sim/rng.js";

const fits = loadRooflineFits();
function est(model: string, gpu: string, tp: number, o: Partial<EstimatorOptions> & { backend?: Backend } = {}) {
  return createEstimator({
    model: resolveModel(model), gpu: resolveGpu(gpu), tp, weights: "bf16", kvDtype: "bf16", engine: "sglang",
    profiles: loadKernelProfiles(gpu), fits, ...o,
  });
}
const decodes = (n: number, ctx: number): BatchEntry[] => Array.from({ length: n }, () => ({ cacheLen: ctx, inputLen: 1 }));

describe("estimate", () => {
  it("gives plausible H100 TP2 Qwen3-32B steps (decode bs64 at 4k: 20-30 ms; 1024-token prefill: 50-80 ms)", () => {
    const e = est("qwen3-32b", "h100_sxm", 2);
    const dec = e.estimate(decodes(64, 4096)).latencyMs;
    const pre = e.estimate([{ cacheLen: 0, inputLen: 1024 }]).latencyMs;
    expect(dec).toBeGreaterThan(20);
    expect(dec).toBeLessThan(30);
    expect(pre).toBeGreaterThan(50);
    expect(pre).toBeLessThan(80);
  });

  it("breakdown sums to the latency and includes the engine overhead", () => {
    const e = est("llama-3.1-70b", "h100_sxm", 4);
    const r = e.estimateDetailed([{ cacheLen: 2000, inputLen: 512 }, ...decodes(10, 3000)]);
    const b = r.breakdown;
    expect(b.gemmMs + b.attentionMs + b.commMs + b.otherMs).toBeCloseTo(r.latencyMs, 9);
    expect(r.ops.reduce((s, o) => s + o.totalMs, 0)).toBeCloseTo(r.latencyMs, 9);
    // SGLang's overlap scheduler leaves overlapExposedShare of the step's CPU work exposed (the GPU
    // step, tens of ms, is far longer than the CPU work or the eager prefill's launches).
    const o = ENGINE_OVERHEAD;
    expect(r.overheadMs).toBeCloseTo((o.overlapExposedShare * (o.stepUs + 11 * o.perRequestUs + o.perPrefillUs)) / 1000, 12);
    expect(b.otherMs).toBeGreaterThan(r.overheadMs);
    // vLLM before async scheduling (0.14) waits for all of it between steps.
    const v = est("llama-3.1-70b", "h100_sxm", 4, { engine: "vllm" }).estimateDetailed([{ cacheLen: 2000, inputLen: 512 }, ...decodes(10, 3000)]);
    expect(v.overheadMs).toBeCloseTo((o.stepUs + 11 * o.perRequestUs + o.perPrefillUs) / 1000, 12);
  });

  it("a decode batch above the CUDA-graph limit launches every kernel from the CPU", () => {
    // Llama-3.1-8B over 8 GPUs, 16 decodes: every operator of the plan (per layer, plus once per
    // step) and 3 launches per layer's attention, at 8 us each, take longer than the GPU work.
    const graphed = est("llama-3.1-8b", "h100_sxm", 8, { cudaGraphMaxBs: 256 });
    const eager = est("llama-3.1-8b", "h100_sxm", 8, { cudaGraphMaxBs: 8 });
    const kernels = eager.plan.ops.reduce((n, o) => n + o.count, 0) + eager.plan.layers * 3;
    expect(kernels).toBeGreaterThan(400);
    const g = graphed.estimate(decodes(16, 1000)).latencyMs;
    const e = eager.estimate(decodes(16, 1000)).latencyMs;
    expect(e).toBeGreaterThanOrEqual((kernels * 8) / 1000);
    expect(g).toBeLessThan((kernels * 8) / 1000);
  });

  it("grows with decode context and batch, and with a cached prefix under a prefill", () => {
    const e = est("qwen3-8b", "h100_sxm", 1);
    let prev = 0;
    for (const ctx of [128, 1024, 4096, 16384, 32000]) {
      const t = e.estimate(decodes(32, ctx)).latencyMs;
      expect(t).toBeGreaterThan(prev);
      prev = t;
    }
    expect(e.estimate(decodes(64, 2048)).latencyMs).toBeGreaterThan(e.estimate(decodes(16, 2048)).latencyMs);
    const noPrefix = e.estimateDetailed([{ cacheLen: 0, inputLen: 2048 }]);
    const prefix = e.estimateDetailed([{ cacheLen: 16000, inputLen: 2048 }]);
    const attn = (r: typeof prefix) => r.breakdown.attentionMs;
    expect(attn(prefix)).toBeGreaterThan(3 * attn(noPrefix));
  });

  it("costs a mixed-length prefill batch on its actual causal work, not an averaged shape", () => {
    const e = est("qwen3-32b", "h100_sxm", 2);
    const mixed = e.estimateDetailed([{ cacheLen: 0, inputLen: 8000 }, { cacheLen: 0, inputLen: 200 }]);
    const averaged = e.estimateDetailed([{ cacheLen: 0, inputLen: 4100 }, { cacheLen: 0, inputLen: 4100 }]);
    const flops = (r: typeof mixed) => r.ops.find((o) => o.cls === "attention")!.flops;
    expect(flops(mixed) / flops(averaged)).toBeCloseTo((8000 ** 2 + 200 ** 2) / (2 * 4100 ** 2), 9);
    expect(mixed.breakdown.attentionMs).toBeGreaterThan(1.5 * averaged.breakdown.attentionMs);
  });

  it("uses cheaper CUDA-graph all-reduces in decode-only steps", () => {
    const e = est("qwen3-32b", "h100_sxm", 2);
    const graph = e.estimateDetailed(decodes(8, 100));
    const eager = e.estimateDetailed([...decodes(8, 100), { cacheLen: 0, inputLen: 2 }]);
    expect(graph.graph).toBe(true);
    expect(eager.graph).toBe(false);
    expect(eager.breakdown.commMs).toBeGreaterThan(graph.breakdown.commMs * 1.5);
  });

  it("quantized weights speed up memory-bound decode", () => {
    const t = (w: WeightDtype, gpu = "h100_sxm") => est("llama-3.1-70b", gpu, 4, { weights: w }).estimate(decodes(8, 1000)).breakdown.gemmMs;
    expect(t("fp8")).toBeLessThan(0.7 * t("bf16"));
    expect(t("int4")).toBeLessThan(t("fp8"));
    expect(t("fp8", "a100_sxm")).toBeLessThan(0.75 * t("bf16", "a100_sxm"));
  });

  it("charges vLLM's heavier per-step overhead", () => {
    const b = decodes(32, 1000);
    expect(est("qwen3-8b", "h100_sxm", 1, { engine: "vllm" }).estimate(b).latencyMs).toBeGreaterThan(
      est("qwen3-8b", "h100_sxm", 1).estimate(b).latencyMs,
    );
  });

  it("rejects bad batches and a tp that does not divide the heads", () => {
    const e = est("qwen3-8b", "h100_sxm", 1);
    expect(() => e.estimate([{ cacheLen: -1, inputLen: 5 }])).toThrow(/cacheLen >= 0/);
    expect(() => e.estimate([{ cacheLen: 1, inputLen: 0 }])).toThrow(/inputLen >= 1/);
    expect(() => e.estimate([{ cacheLen: 1.5, inputLen: 2 }])).toThrow(/integers/);
    expect(() => est("qwen3-32b", "h100_sxm", 3)).toThrow(/does not divide/);
  });
});

describe("stepUs (memoized hot path)", () => {
  const configs: [string, string, number, Partial<EstimatorOptions>][] = [
    ["qwen3-32b", "h100_sxm", 2, {}],
    ["qwen3-235b-a22b", "h100_sxm", 8, { weights: "fp8", kvDtype: "fp8" }],
    ["deepseek-v3", "h200_sxm", 8, { weights: "fp8", backend: "roofline" }],
    ["llama-3.1-8b", "a100_sxm", 1, { engine: "vllm" }],
  ];
  it.each(configs)("equals estimate().latencyMs * 1000 within the memo quantization (%s on %s)", (model, gpu, tp, o) => {
    const e = est(model, gpu, tp, o);
    const rng = rngStream(7, `stepUs ${model}`);
    const summary = newBatchSummary(64);
    for (let trial = 0; trial < 150; trial++) {
      const batch: BatchEntry[] = [];
      const nDecode = rng.int(200);
      for (let i = 0; i < nDecode; i++) batch.push({ cacheLen: rng.int(30000), inputLen: 1 });
      const nPrefill = rng.int(4);
      for (let i = 0; i < nPrefill; i++) batch.push({ cacheLen: rng.int(2) ? rng.int(20000) : 0, inputLen: 2 + rng.int(8000) });
      if (batch.length === 0) continue;
      const exact = e.estimate(batch).latencyMs * 1000;
      const us = e.stepUs(summarizeBatch(batch, summary));
      expect(Math.abs(us / exact - 1)).toBeLessThan(0.005);
      expect(e.stepUs(summary)).toBe(us); // memo hit returns the same value
    }
  });
});

describe("roofline on GPUs without tables", () => {
  const batches: BatchEntry[][] = [decodes(1, 0), decodes(128, 8000), [{ cacheLen: 0, inputLen: 8192 }], [{ cacheLen: 30000, inputLen: 4096 }, ...decodes(32, 1000)]];
  for (const gpu of ["h200_sxm", "b200", "h20", "l40s", "h100_sxm", "a100_sxm"]) {
    it(`gives finite positive latencies for every catalog model on ${gpu}`, () => {
      for (const m of listModels()) {
        for (const tp of [1, 2, 4, 8]) {
          if (m.numAttentionHeads % tp !== 0) continue;
          for (const weights of ["bf16", "fp8", "int4"] as const) {
            const e = est(m.id, gpu, tp, { weights, backend: "roofline" });
            for (const b of batches) {
              const r = e.estimate(b);
              expect(Number.isFinite(r.latencyMs) && r.latencyMs > 0, `${m.id} tp${tp} ${weights}`).toBe(true);
              for (const v of Object.values(r.breakdown)) expect(v).toBeGreaterThanOrEqual(0);
            }
          }
        }
      }
    });
  }
});
