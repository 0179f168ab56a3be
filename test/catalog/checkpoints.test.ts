import { describe, expect, it } from "vitest";
import { fp8GemmOfQuantMode } from "../../src/catalog/checkpoints.js";
import { resolveCheckpoint, resolveModel } from "../../src/catalog/index.js";

describe("quantized checkpoint names", () => {
  it.each([
    ["nvidia/Llama-3.1-8B-Instruct-FP8", "llama-3.1-8b", "fp8"],
    ["nvidia/Llama-3.1-70B-Instruct-FP8", "llama-3.1-70b", "fp8"],
    ["RedHatAI/Meta-Llama-3.1-70B-Instruct-FP8", "llama-3.1-70b", "fp8"],
    ["neuralmagic/Meta-Llama-3.1-8B-Instruct-FP8-dynamic", "llama-3.1-8b", "fp8"],
    ["Qwen/Qwen3-32B-FP8", "qwen3-32b", "fp8_block"],
    ["Qwen/Qwen3-8B-FP8", "qwen3-8b", "fp8_block"],
    ["Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8", "qwen3-coder-480b-a35b", "fp8_block"],
  ])("%s is %s with fp8 weights (%s GEMM)", (name, id, gemm) => {
    const c = resolveCheckpoint(name)!;
    expect(c.model.id).toBe(id);
    expect(c.weights).toBe("fp8");
    expect(c.fp8Gemm).toBe(gemm);
    expect(resolveModel(name).id).toBe(id);
  });

  it("leaves other names alone", () => {
    expect(resolveCheckpoint("meta-llama/Llama-3.1-8B-Instruct")).toBeUndefined();
    expect(resolveCheckpoint("nvidia/Unknown-Model-FP8")).toBeUndefined();
    expect(() => resolveModel("nvidia/Unknown-Model-FP8")).toThrow(/unknown model/);
  });

  it("reads a measured row's gemm_quant_mode", () => {
    expect(fp8GemmOfQuantMode("fp8")).toBe("fp8");
    expect(fp8GemmOfQuantMode("fp8_block")).toBe("fp8_block");
    expect(fp8GemmOfQuantMode("")).toBeUndefined();
  });
});
