/**
 * GPUs without kernel tables borrow those of the profiled GPU of the same architecture: H200 (and
 * H20) read H100's measurements. Small kernels take exactly what they take on H100 (measured
 * small-kernel latencies on H200 equal H100's); large memory-bound ones scale with HBM bandwidth,
 * large compute-bound ones with the tensor peak (equal on H100 and H200); fp8-KV decode attention is
 * dequantization-bound and does not speed up with bandwidth. Expected values are the bundled H100
 * measurements and the catalog's peak ratios, never the model's own output.
 */
import { describe, expect, it } from "vitest";
import { resolveGpu } from "../../../src/catalog/index.js";
import { kernelTablesFor, loadKernelProfiles, loadRooflineFits } from "../../../src/catalog/profiles.js";
import { InputError } from "../../../src/errors.js";
import { KernelModel, transferWeight } from "../../../src/sim/estimator/kernel-model.js";

const fits = loadRooflineFits();
const h100 = resolveGpu("h100_sxm");
const h200 = resolveGpu("h200_sxm");
const own = new KernelModel({ gpu: h100, backend: "auto", fits, ...kernelTablesFor(h100) });
const lent = new KernelModel({ gpu: h200, backend: "auto", fits, ...kernelTablesFor(h200) });
const kindOf = (d: string) => (d === "bfloat16" ? "bf16" : (d as "fp8" | "fp8_block"));

describe("which tables a GPU without its own uses", () => {
  it("lends compute and communication tables within an architecture, communication alone across", () => {
    expect(kernelTablesFor(h200).profiles?.gpuId).toBe("h100_sxm");
    expect(kernelTablesFor(resolveGpu("h20")).profiles?.gpuId).toBe("h100_sxm");
    expect(kernelTablesFor(h100).profiles?.gpuId).toBe("h100_sxm");
    const b200 = kernelTablesFor(resolveGpu("b200"));
    expect(b200.profiles).toBeUndefined();
    expect(b200.commProfiles?.gpuId).toBe("h100_sxm"); // closest NVLink bandwidth
    expect(kernelTablesFor(resolveGpu("l40s"))).toEqual({ profiles: undefined, commProfiles: undefined }); // PCIe only, Ada
    expect(lent.borrowed).toBe(true);
    expect(own.borrowed).toBe(false);
  });

  it("refuses tables of another architecture and the table backend on borrowed tables", () => {
    expect(() => new KernelModel({ gpu: resolveGpu("b200"), backend: "auto", fits, profiles: loadKernelProfiles("h100_sxm") })).toThrow(InputError);
    expect(() => new KernelModel({ gpu: h200, backend: "table", fits, ...kernelTablesFor(h200) })).toThrow(/no measured kernel tables are bundled for h200_sxm/);
  });
});

describe("communication from measured tables", () => {
  it("the logits all-gather reproduces H100's NCCL all_gather rows, and H200 borrows them", () => {
    const rows = loadKernelProfiles("h100_sxm")!.nccl.filter((r) => r.op === "all_gather");
    expect(rows.length).toBeGreaterThan(50);
    for (const r of rows) {
      expect(own.allgatherMs(r.numGpus, r.messageElems * 2, false) / r.latencyMs).toBeCloseTo(1, 9);
      // Same NVLink on H200: the borrowed time is H100's measurement at every size.
      expect(lent.allgatherMs(r.numGpus, r.messageElems * 2, false) / r.latencyMs).toBeCloseTo(1, 6);
    }
  });

  it("every catalog GPU names its architecture and clock", () => {
    for (const id of ["a100_sxm", "h100_sxm", "h200_sxm", "h20", "b200", "l40s"]) {
      const g = resolveGpu(id);
      expect(g.architecture).toBeDefined();
      expect(g.boostClockMhz).toBeGreaterThan(1000);
      expect(g.clockSource?.length).toBeGreaterThan(10);
    }
  });
});

describe("small kernels take what they take on the measured GPU", () => {
  it("every bundled H100 GEMM under 20 us gives the same time on H200", () => {
    const rows = loadKernelProfiles("h100_sxm")!.gemm.filter((r) => r.latencyMs < 0.02);
    expect(rows.length).toBeGreaterThan(1000);
    for (let i = 0; i < rows.length; i += 37) {
      const r = rows[i];
      expect(lent.gemmMs(kindOf(r.dtype), r.m, r.n, r.k) / r.latencyMs).toBeCloseTo(1, 6);
    }
  });

  it("bundled H100 decode-attention rows under 20 us and small all-reduces too", () => {
    const rows = loadKernelProfiles("h100_sxm")!.generation.filter((r) => r.latencyMs < 0.02);
    expect(rows.length).toBeGreaterThan(100);
    for (let i = 0; i < rows.length; i += 11) {
      const r = rows[i];
      const kv = r.kvDtype === "fp8" ? "fp8" : "bf16";
      expect(lent.generationAttentionMs(r.batch, r.step + 1, r.heads, r.kvHeads, r.headDim, kv) / r.latencyMs).toBeCloseTo(1, 6);
    }
    const ar = loadKernelProfiles("h100_sxm")!.allreduce.filter((r) => r.latencyMs < 0.02);
    for (const r of ar) expect(lent.allreduceMs(r.numGpus, r.messageElems, r.backend.includes("graph")) / r.latencyMs).toBeCloseTo(1, 6);
  });

  it("the peak ratio fades in between 20 and 40 us", () => {
    expect(transferWeight(0.019)).toBe(0);
    expect(transferWeight(0.03)).toBeCloseTo(0.5, 9);
    expect(transferWeight(0.05)).toBe(1);
  });
});

describe("large kernels follow the target's peaks", () => {
  it("long-context bf16 decode attention scales with HBM bandwidth (3.35 -> 4.8 TB/s)", () => {
    // Qwen3-32B tp1 shape, 64 sequences of 8K tokens: ~8.6 GB of KV per call.
    const r = lent.generationAttentionMs(64, 8192, 64, 8, 128, "bf16") / own.generationAttentionMs(64, 8192, 64, 8, 128, "bf16");
    expect(r).toBeGreaterThan((3.35 / 4.8) * 0.95);
    expect(r).toBeLessThan((3.35 / 4.8) * 1.05);
  });

  it("fp8-KV decode attention is dequantization-bound: no faster on H200", () => {
    const r = lent.generationAttentionMs(64, 8192, 64, 8, 128, "fp8") / own.generationAttentionMs(64, 8192, 64, 8, 128, "fp8");
    expect(r).toBeGreaterThan(0.97);
    expect(r).toBeLessThan(1.03);
  });

  it("a large compute-bound GEMM runs at H100's measured time (same tensor peak)", () => {
    const r = lent.gemmMs("bf16", 8192, 8192, 8192) / own.gemmMs("bf16", 8192, 8192, 8192);
    expect(r).toBeGreaterThan(0.97);
    expect(r).toBeLessThan(1.03);
  });

  it("a large weight-bound GEMM (decode of one token, 70B-size layer) scales with HBM bandwidth", () => {
    const r = lent.gemmMs("bf16", 1, 28672, 8192) / own.gemmMs("bf16", 1, 28672, 8192);
    expect(r).toBeGreaterThan((3.35 / 4.8) * 0.93);
    expect(r).toBeLessThan((3.35 / 4.8) * 1.07);
  });
});
