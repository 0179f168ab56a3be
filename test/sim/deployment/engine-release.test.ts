/**
 * Release defaults against the values upstream's rules give (computed by hand from
 * python/sglang/srt/server_args.py at each tag and vllm/engine/arg_utils.py; nvidia-smi reports
 * 81,559 MiB on H100 SXM and 143,771 MiB on H200).
 */
import { describe, expect, it } from "vitest";
import { resolveGpu } from "../../../src/catalog/index.js";
import {
  engineRelease, gpuMemMiB, sglangChunkedPrefill, sglangCudaGraphMaxBs, sglangMemFraction, vllmBatchDefaults,
} from "../../../src/sim/deployment/engine-release.js";

const h100 = resolveGpu("h100_sxm");
const h200 = resolveGpu("h200_sxm");

describe("SGLang defaults by release", () => {
  it("nvidia-smi memory of the catalog GPUs", () => {
    expect(Math.abs(gpuMemMiB(h100) - 81559)).toBeLessThan(20);
    expect(Math.abs(gpuMemMiB(h200) - 143771)).toBeLessThan(20);
  });

  it.each([
    // 0.5.1 legacy rule: reserved (9.5 + tp/2) GiB below 90 GiB, (12 + tp/2) GiB below 160 GiB.
    ["0.5.1", "h100_sxm", 1, 0.874], ["0.5.1", "h100_sxm", 2, 0.868], ["0.5.1", "h100_sxm", 4, 0.856], ["0.5.1", "h100_sxm", 8, 0.831],
    ["0.5.1.post1", "h200_sxm", 1, 0.911], ["0.5.1", "h200_sxm", 8, 0.886],
    // 0.5.3+: 512 + 1.5 x 8192 + 2 x cuda_graph_max_bs (256 / 512 from tp 4) + tp/8 GiB, MiB.
    ["0.5.6", "h100_sxm", 1, 0.835], ["0.5.6.post2", "h100_sxm", 2, 0.834], ["0.5.8", "h100_sxm", 4, 0.824], ["0.5.9", "h100_sxm", 8, 0.818],
    ["0.5.6", "h200_sxm", 1, 0.907], ["0.5.6.post2", "h200_sxm", 8, 0.897],
  ])("mem_fraction_static of %s on %s tp%i is %f", (v, gpu, tp, frac) => {
    expect(sglangMemFraction(v as string, resolveGpu(gpu as string), tp as number)).toBe(frac);
  });

  it("chunked prefill: 0.5.3 added the 4096 bucket below 60 GiB", () => {
    const l40s = resolveGpu("l40s");
    expect(sglangChunkedPrefill("0.5.1", l40s)).toBe(8192);
    expect(sglangChunkedPrefill("0.5.6", l40s)).toBe(4096);
    expect(sglangChunkedPrefill("0.5.6", h100)).toBe(8192);
    expect(sglangChunkedPrefill("0.5.6", resolveGpu("b200"))).toBe(16384);
  });

  it("decode CUDA graphs: 160 on 80 GB GPUs in 0.5.1 (256 above 90 GiB), 256 / 512 from 0.5.3", () => {
    expect(sglangCudaGraphMaxBs("0.5.1", h100, 8)).toBe(160);
    expect(sglangCudaGraphMaxBs("0.5.1", h200, 1)).toBe(256);
    expect(sglangCudaGraphMaxBs("0.5.1", resolveGpu("b200"), 1)).toBe(512);
    expect(sglangCudaGraphMaxBs("0.5.6", h100, 2)).toBe(256);
    expect(sglangCudaGraphMaxBs("0.5.6", h200, 4)).toBe(512);
  });

  it("retraction: 20 free tokens per remaining request in 0.5.1, the next step from 0.5.3", () => {
    expect(engineRelease("sglang", "0.5.1", h100, 2).retractFreeTokensPerReq).toBe(20);
    expect(engineRelease("sglang", "0.5.9", h100, 2).retractFreeTokensPerReq).toBe(1);
    expect(engineRelease("sglang", "0.5.9", h100, 2).cpuOverlap).toBe("overlap");
  });
});

describe("vLLM defaults by release", () => {
  it("8192 tokens / 1024 sequences on >= 70 GiB GPUs but A100; else 2048 / 256", () => {
    expect(vllmBatchDefaults(h100)).toEqual({ tokens: 8192, seqs: 1024 });
    expect(vllmBatchDefaults(resolveGpu("a100_sxm"))).toEqual({ tokens: 2048, seqs: 256 });
    expect(vllmBatchDefaults(resolveGpu("l40s"))).toEqual({ tokens: 2048, seqs: 256 });
  });

  it("piecewise decode graphs in 0.10.x, full graphs from 0.11; CPU work between steps (no async scheduling)", () => {
    expect(engineRelease("vllm", "0.10.2", h100, 1).piecewiseDecodeGraph).toBe(true);
    expect(engineRelease("vllm", "0.11.0", h100, 1).piecewiseDecodeGraph).toBe(false);
    expect(engineRelease("vllm", "0.12.0", h100, 1)).toMatchObject({ memFraction: 0.9, cudaGraphMaxBs: 512, cpuOverlap: "serial" });
  });
});
