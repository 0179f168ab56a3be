/**
 * FLOP and byte counts per operator, against hand-computed values from the models' configs
 * (per GPU of the TP group, SGLang layout).
 */
import { describe, expect, it } from "vitest";
import { resolveGpu, resolveModel } from "../../../src/catalog/index.js";
import { loadRooflineFits } from "../../../src/catalog/profiles.js";
import type { KvDtype, WeightDtype } from "../../../src/config/types.js";
import { createEstimator } from "../../../src/sim/estimator/estimator.js";
import { expectedActiveExperts, fp8GemmKind } from "../../../src/sim/estimator/operators.js";

function plan(model: string, tp: number, weights: WeightDtype = "bf16", kvDtype: KvDtype = "bf16") {
  const est = createEstimator({
    model: resolveModel(model), gpu: resolveGpu("h200_sxm"), tp, weights, kvDtype, engine: "sglang",
    backend: "roofline", fits: loadRooflineFits(),
  });
  const op = (name: string) => {
    const o = est.plan.ops.find((x) => x.name.startsWith(name));
    if (!o) throw new Error(`no op ${name}; have ${est.plan.ops.map((x) => x.name).join(", ")}`);
    return o;
  };
  return { est, op };
}

describe("qwen3-32b tp2 (h 5120, 32 q / 4 kv heads per GPU, ffn 12800 per GPU, 64 layers)", () => {
  const { est, op } = plan("qwen3-32b", 2);
  it.each([
    // name, m, n, k
    ["qkv proj", 1000, (32 + 2 * 4) * 128, 5120],
    ["o proj", 1000, 5120, 32 * 128],
    ["gate_up proj", 1000, 2 * 12800, 5120],
    ["down proj", 1000, 5120, 12800],
    ["lm head", 1, 151936 / 2, 5120],
  ])("%s GEMM: 2mnk FLOPs and A + W + C bytes", (name, m, n, k) => {
    const w = op(name).work(m);
    expect(w.flops).toBe(2 * m * n * k);
    expect(w.bytes).toBe(m * k * 2 + k * n * 2 + m * n * 2);
  });

  it("qkv proj at 1000 tokens: 52.43 GFLOP, 72.9 MB", () => {
    expect(op("qkv proj").work(1000)).toEqual({ flops: 52_428_800_000, bytes: 72_908_800 });
  });

  it("counts per step: 64 of each layer op, two all-reduces per layer plus the embedding's", () => {
    expect(op("qkv proj").count).toBe(64);
    const comm = est.plan.ops.filter((o) => o.name.includes("all-reduce"));
    expect(comm.reduce((s, o) => s + o.count, 0)).toBe(2 * 64 + 1);
    expect(op("attention all-reduce").work(100).bytes).toBe(100 * 5120 * 2);
  });

  it("decode attention: 64 requests at 4096 cached read 2*4*128*2 B per token per layer", () => {
    const r = est.estimateDetailed(Array.from({ length: 64 }, () => ({ cacheLen: 4096, inputLen: 1 })));
    const att = r.ops.find((o) => o.cls === "attention")!;
    const tokens = 64 * 4097;
    expect(att.bytes).toBe(64 * (tokens * 2048 + 64 * 32 * 256 * 2));
    expect(att.flops).toBe(64 * tokens * 32 * 4 * 128);
  });

  it("fp8 KV halves the decode-attention KV bytes", () => {
    const fp8 = plan("qwen3-32b", 2, "bf16", "fp8").est.estimateDetailed([{ cacheLen: 10000, inputLen: 1 }]);
    const bf16 = est.estimateDetailed([{ cacheLen: 10000, inputLen: 1 }]);
    const kv = (r: typeof fp8) => r.ops.find((o) => o.cls === "attention")!.bytes - 64 * 32 * 256 * 2;
    expect(kv(fp8)).toBe(kv(bf16) / 2);
  });

  it("prefill attention FLOPs follow causal s(2p+s)/2 per sequence", () => {
    const r = est.estimateDetailed([{ cacheLen: 3000, inputLen: 1000 }, { cacheLen: 0, inputLen: 500 }]);
    const att = r.ops.find((o) => o.cls === "attention")!;
    const work = 1000 * (2 * 3000 + 1000) / 2 + (500 * 500) / 2;
    expect(att.flops).toBe(64 * 2 * 32 * 256 * work);
    // Q and O of new tokens, K and V of new + cached tokens.
    expect(att.bytes).toBe(64 * (1500 * 32 * 256 * 2 + 4500 * 4 * 256 * 2));
  });
});

describe("llama-3.1-70b tp1", () => {
  const { est, op } = plan("llama-3.1-70b", 1);
  it("GEMM FLOPs per decode token are 2 x (linear params per layer x 80 + LM head)", () => {
    const perLayer = 8192 * (64 + 16) * 128 + 8192 * 8192 + 8192 * 2 * 28672 + 28672 * 8192;
    expect(perLayer).toBe(855_638_016);
    const r = est.estimateDetailed([{ cacheLen: 100, inputLen: 1 }]);
    const gemmFlops = r.ops.filter((o) => o.cls === "gemm").reduce((s, o) => s + o.flops, 0);
    expect(gemmFlops).toBe(2 * (80 * perLayer + 128256 * 8192));
    expect(op("gate_up proj").work(1).bytes).toBe(8192 * 2 + 8192 * 57344 * 2 + 57344 * 2);
  });
  it("has no all-reduce at tp 1", () => {
    expect(est.plan.ops.some((o) => o.cls === "comm")).toBe(false);
  });
});

describe("qwen3-235b-a22b tp4 (MoE 8 of 128 experts, 384 expert width per GPU)", () => {
  const { op } = plan("qwen3-235b-a22b", 4);
  it("expected active experts E(1-(1-k/E)^T)", () => {
    expect(expectedActiveExperts(128, 8, 1)).toBeCloseTo(8, 12);
    expect(expectedActiveExperts(128, 8, 16)).toBeCloseTo(128 * (1 - (15 / 16) ** 16), 12);
    expect(expectedActiveExperts(128, 8, 16)).toBeCloseTo(82.42, 2);
    expect(expectedActiveExperts(128, 8, 100000)).toBeCloseTo(128, 9);
  });
  it("router gate and grouped expert GEMMs", () => {
    expect(op("router gate").work(10).flops).toBe(2 * 10 * 128 * 4096);
    // One token: 8 experts' gate_up weights (4096 x 768) are read; activations once per routed copy.
    expect(op("experts gate_up").work(1)).toEqual({ flops: 2 * 8 * 768 * 4096, bytes: 8 * 4096 * 768 * 2 + 8 * (4096 * 2 + 768 * 2) });
    const t = 16;
    const active = 128 * (1 - (15 / 16) ** 16);
    const w = op("experts down").work(t);
    expect(w.flops).toBe(2 * t * 8 * 4096 * 384);
    expect(w.bytes).toBeCloseTo(active * 384 * 4096 * 2 + t * 8 * (384 * 2 + 4096 * 2), 3);
    expect(op("experts gate_up").count).toBe(94);
  });
});

describe("deepseek-v3 tp8 (MLA, 16 heads per GPU; 3 dense + 58 MoE layers)", () => {
  const { est, op } = plan("deepseek-v3", 8, "fp8");
  it.each([
    ["q_a + kv_a proj", 1536 + 512 + 64, 7168],
    ["q_b proj", 16 * 192, 1536],
    ["kv_b proj", 16 * 256, 512],
    ["o proj", 7168, 16 * 128],
    ["q absorb", 16 * 512, 128],
    ["v absorb", 16 * 128, 512],
    ["gate_up proj", 2 * 18432 / 8, 7168],
    ["shared expert down", 7168, 2048 / 8],
  ])("%s is %i x %i", (name, n, k) => {
    expect(op(name).work(10).flops).toBe(2 * 10 * n * k);
  });
  it("quantized projections are fp8 block-scaled (1 byte weights), absorbed bmm stay bf16", () => {
    expect(fp8GemmKind(resolveModel("deepseek-v3"))).toBe("fp8_block");
    expect(fp8GemmKind(resolveModel("llama-3.1-70b"))).toBe("fp8");
    expect(op("o proj").work(1).bytes).toBe(2048 * 1 + 2048 * 7168 * 1 + 7168 * 2);
    expect(op("q absorb").work(1).bytes).toBe(128 * 2 + 128 * 8192 * 2 + 8192 * 2);
    expect(op("gate_up proj").count).toBe(3);
    expect(op("experts gate_up").count).toBe(58);
  });
  it("decode attention reads the 576-wide latent once for all 16 heads", () => {
    const r = est.estimateDetailed([{ cacheLen: 999, inputLen: 1 }]);
    const att = r.ops.find((o) => o.cls === "attention")!;
    expect(att.bytes).toBe(61 * (1000 * 576 * 2 + 16 * 1088 * 2));
    expect(att.flops).toBe(61 * 1000 * 16 * 2 * (576 + 512));
  });
  it("prefill attention runs as MHA with 192-dim Q.K and 128-dim V", () => {
    const r = est.estimateDetailed([{ cacheLen: 0, inputLen: 1000 }]);
    const att = r.ops.find((o) => o.cls === "attention")!;
    expect(att.flops).toBe(61 * 2 * 16 * 320 * (1000 * 1000) / 2);
    // kv_b decompresses the latent rows of new + cached prefill tokens.
    const r2 = est.estimateDetailed([{ cacheLen: 3000, inputLen: 1000 }]);
    expect(r2.ops.find((o) => o.name.startsWith("kv_b"))!.tokens).toBe(4000);
  });
});
