import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bufferIo } from "../../src/cli/io.js";
import { estimateCommand, parseBatchArg } from "../../src/cli/commands/estimate.js";
import { validateEstimatorCommand } from "../../src/cli/commands/validate-estimator.js";
import { cli } from "../helpers/cli.js";
import { testTempDir } from "../helpers/tmp.js";

const fixture = (gpu: string, name: string) => new URL(`../fixtures/kernels/${gpu}/${name}_heldout.csv`, import.meta.url).pathname;
const dir = testTempDir("hisim-estimate-").path;

describe("estimate", () => {
  it("prints the per-operator breakdown and totals", async () => {
    const r = await cli("estimate", "--model", "qwen3-32b", "--gpu", "h100_sxm", "--tp", "2", "--batch", "0:1024,4096:1,4096:1");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    for (const s of ["qkv proj", "gate_up proj", "prefill attention (1 seq)", "decode attention (2 seq)", "attention all-reduce", "engine overhead", "latency ms"]) {
      expect(r.stdout).toContain(s);
    }
  });

  it("prints the spec's JSON", async () => {
    const io = bufferIo();
    await estimateCommand({ model: "Qwen/Qwen3-32B", gpu: "h100_sxm", tp: 2, batch: "4096:1x64", json: true }, io);
    const j = JSON.parse(io.stdout());
    expect(Object.keys(j.breakdown).sort()).toEqual(["attentionMs", "commMs", "gemmMs", "otherMs"]);
    const sum = j.breakdown.gemmMs + j.breakdown.attentionMs + j.breakdown.commMs + j.breakdown.otherMs;
    expect(j.latencyMs).toBeCloseTo(sum, 9);
    expect(j.batch).toMatchObject({ requests: 64, decode: 64, prefill: 0, cudaGraph: true });
    expect(j.latencyMs).toBeGreaterThan(20);
    expect(j.latencyMs).toBeLessThan(30);
  });

  it("parses repeats and rejects malformed entries", () => {
    expect(parseBatchArg("0:1024, 4096:1x3")).toHaveLength(4);
    expect(() => parseBatchArg("4096")).toThrow(/not cacheLen:inputLen/);
  });

  it.each([
    ["unknown model", ["--model", "gpt-9", "--gpu", "h100_sxm", "--batch", "0:10"], /unknown model "gpt-9"/],
    ["unknown GPU", ["--model", "qwen3-8b", "--gpu", "tpu9", "--batch", "0:10"], /unknown GPU "tpu9"/],
    ["tp not dividing heads", ["--model", "qwen3-32b", "--gpu", "h100_sxm", "--tp", "3", "--batch", "0:10"], /tp=3 does not divide the 64 attention heads/],
    ["tp beyond a node", ["--model", "qwen3-32b", "--gpu", "h100_sxm", "--tp", "16", "--batch", "0:10"], /spans more than one/],
    ["empty batch", ["--model", "qwen3-8b", "--gpu", "h100_sxm", "--batch", ""], /empty batch/],
    ["negative length", ["--model", "qwen3-8b", "--gpu", "h100_sxm", "--batch", "-5:10"], /cacheLen must be a non-negative integer/],
    ["non-integer length", ["--model", "qwen3-8b", "--gpu", "h100_sxm", "--batch", "0:10.5"], /inputLen must be an integer >= 1/],
    ["zero input", ["--model", "qwen3-8b", "--gpu", "h100_sxm", "--batch", "10:0"], /inputLen must be an integer >= 1/],
    ["malformed batch", ["--model", "qwen3-8b", "--gpu", "h100_sxm", "--batch", "0:10,abc"], /entry 2 "abc" is not cacheLen:inputLen/],
    ["model that does not fit", ["--model", "llama-3.1-70b", "--gpu", "l40s", "--batch", "0:10"], /llama-3.1-70b does not fit: .*GiB per GPU/],
    ["table backend without tables", ["--model", "qwen3-8b", "--gpu", "l40s", "--backend", "table", "--batch", "0:10"], /no measured kernel tables are bundled for l40s/],
    // Qwen3-32B serves 131,072 tokens (YaRN): a request of 10^11 tokens, or one token more, cannot exist.
    ["a prompt of 10^11 tokens", ["--model", "qwen3-32b", "--gpu", "h100_sxm", "--batch", "0:100000000000"],
      /--batch: entry 1 "0:100000000000": a request of 100,000,000,000 tokens \(cacheLen \+ inputLen\) exceeds qwen3-32b's context length; expected cacheLen \+ inputLen <= 131,072/],
    ["a decode at 10^11 tokens of context", ["--model", "qwen3-32b", "--gpu", "h100_sxm", "--batch", "0:10,100000000000:1"], /--batch: entry 2 "100000000000:1": a request of 100,000,000,001 tokens/],
    ["a request one token past the context", ["--model", "llama-3.1-8b", "--gpu", "h100_sxm", "--batch", "131072:1"], /a request of 131,073 tokens .* expected cacheLen \+ inputLen <= 131,072/],
    ["exponent notation", ["--model", "qwen3-32b", "--gpu", "h100_sxm", "--batch", "0:1e11"], /--batch: entry 1 "0:1e11" is not cacheLen:inputLen; expected two non-negative integers/],
    ["100,001 requests", ["--model", "qwen3-8b", "--gpu", "h100_sxm", "--batch", "4096:1x60000,4096:1x40001"],
      /--batch: more than 100,000 requests \(entry 2 "4096:1x40001" brings the batch to 100,001\); expected at most 100,000 requests in one step/],
    ["10^20 repeats", ["--model", "qwen3-8b", "--gpu", "h100_sxm", "--batch", "0:1x100000000000000000000"], /--batch: more than 100,000 requests/],
  ])("exits 2 on %s with one clear message", async (_name, args, pattern) => {
    const r = await cli("estimate", ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.stdout).toBe("");
  });

  it("warns when the batch's KV exceeds the pool", async () => {
    // TP 4: at TP 2, SGLang 0.5.9's memory rule (mem_fraction_static 0.834) leaves Llama-3.1-70B bf16 no KV pool.
    // 20 decodes at 100,000 tokens of context, each within the 131,072-token context: 2,000,020 KV tokens.
    const r = await cli("estimate", "--model", "llama-3.1-70b", "--gpu", "h100_sxm", "--tp", "4", "--batch", "100000:1x20");
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: the batch holds 2000020 KV tokens/);
  });

  it("accepts a request of exactly the model's context and 100,000 requests", () => {
    const limit = { contextLengthTokens: 131_072, modelId: "m" };
    expect(parseBatchArg("131071:1", limit)).toEqual([{ cacheLen: 131_071, inputLen: 1 }]);
    expect(parseBatchArg("0:131072", limit)).toHaveLength(1);
    expect(parseBatchArg("4096:1x100000", limit)).toHaveLength(100_000);
  });
});

describe("validate estimator", () => {
  it("reports the error of a measured table", async () => {
    const r = await cli("validate", "estimator", "--measured", fixture("h100_sxm", "generation_attention_perf"), "--gpu", "h100_sxm");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/MAPE \d+\.\d+%/);
    expect(r.stdout).toMatch(/held-out rows/);
  });

  it("prints the spec's JSON with held-out figures", async () => {
    const io = bufferIo();
    await validateEstimatorCommand({ measured: fixture("h100_sxm", "gemm_perf"), gpu: "h100_sxm", backend: "roofline", json: true }, io);
    const j = JSON.parse(io.stdout());
    for (const k of ["rows", "mape", "medianApe", "p90Ape", "byDtype", "skipped", "heldOut"]) expect(j).toHaveProperty(k);
    expect(j.rows).toBe(300);
    expect(j.fit).toBe("a100_sxm");
    expect(j.heldOut.rows).toBe(300); // fixture rows are all outside the bundled table
    expect(Object.keys(j.byDtype).sort()).toEqual(["bfloat16", "fp8", "fp8_block"]);
    expect(j.medianApe).toBeLessThanOrEqual(j.p90Ape);
  });

  it("counts rows it cannot model as skipped", async () => {
    const p = join(dir, "mixed.csv");
    writeFileSync(p, "gemm_dtype,m,n,k,latency\nbfloat16,16,4096,4096,0.02\nint8,16,4096,4096,0.02\nfp8,16,4096,4096,0.02\n");
    const io = bufferIo();
    await validateEstimatorCommand({ measured: p, gpu: "a100_sxm", json: true }, io);
    const j = JSON.parse(io.stdout());
    expect(j.rows).toBe(1);
    expect(j.skipped).toBe(2);
  });

  it("exits 2 on a malformed table, naming the file and line", async () => {
    const p = join(dir, "bad.csv");
    writeFileSync(p, "gemm_dtype,m,n,k,latency\nbfloat16,16,4096,4096,0.02\nbfloat16,16,x,4096,0.02\n");
    const r = await cli("validate", "estimator", "--measured", p, "--gpu", "h100_sxm");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${p}: line 3: column n: expected a positive integer, got "x"`);
  });
});
