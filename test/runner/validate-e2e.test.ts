/**
 * End-to-end fidelity against measured serving rows. test/fixtures/e2e/silicon_h100_sample.csv holds
 * eleven rows copied unmodified from AIConfigurator's silicon_sample.csv (H100; SGLang 0.5.1 and
 * vLLM 0.12 Qwen3-32B, vLLM Llama-3.1-70B fp8, one TensorRT-LLM row and one row without a recorded
 * concurrency). Each simulated row must stay within a tolerance of its measurement, so a change to
 * the estimator, the schedulers, the engine overheads or the replay that moves a row fails here.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveGpu } from "../../src/catalog/index.js";
import { loadKernelProfiles, loadRooflineFits } from "../../src/catalog/profiles.js";
import { readE2eCsv } from "../../src/io/e2e-csv.js";
import { deploymentForRow, modelledVersion, prepareRow, skipReason, validateE2e, type E2eReport } from "../../src/runner/validate-e2e.js";
import { KernelModel } from "../../src/sim/estimator/kernel-model.js";
import { cli } from "../helpers/cli.js";
import { testTempDir } from "../helpers/tmp.js";

const FIXTURE = new URL("../fixtures/e2e/silicon_h100_sample.csv", import.meta.url).pathname;
const dir = testTempDir("hisim-e2e-").path;
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

/**
 * Per-row tolerances against the measurement (fractions). TPOT is measured reliably and the
 * simulator tracks it within a few percent; TTFT depends on how the benchmark's clients were phased
 * and on engine flags the file does not record, so its band is wider.
 */
const TPOT_TOL = 0.15;
const TTFT_TOL = 0.4;

let report: E2eReport | undefined;
const fixtureReport = (): E2eReport => (report ??= validateE2e(readE2eCsv(FIXTURE)));

describe("validate e2e on measured rows", () => {
  it("simulates the SGLang and vLLM rows and skips the others with a reason", () => {
    const r = fixtureReport();
    expect(r.rows).toBe(9);
    expect(r.skipped).toBe(2);
    expect(r.skippedReasons).toEqual({ "backend trtllm is not simulated": 1, "no concurrency recorded": 1 });
    expect(r.byBackend.sglang.rows).toBe(4);
    expect(r.byBackend.vllm.rows).toBe(5);
  });

  it.each([
    ["sglang", "1024x128_c16_tp2"],
    ["sglang", "1024x512_c16_tp8"],
    ["sglang", "4096x512_c16_tp4"],
    ["sglang", "2048x256_c64_tp4"],
    ["vllm", "1024x128_c8_tp2"],
    ["vllm", "4096x512_c32_tp4"],
    ["vllm", "1024x1024_c64_tp8"],
  ])("%s %s stays within the tolerance of its measurement", (backend, idPart) => {
    const d = fixtureReport().details.find((x) => x.backend === backend && x.id.includes(idPart));
    expect(d).toBeDefined();
    expect(d!.tpotApe).toBeLessThanOrEqual(TPOT_TOL);
    expect(d!.ttftApe).toBeLessThanOrEqual(TTFT_TOL);
  });

  it.each([["fp8_agg_1024x1024_c16_tp2"], ["fp8_agg_1024x1024_c32_tp8"]])(
    "vLLM Llama-3.1-70B fp8 %s: TPOT within tolerance, TTFT over-predicted at most twofold (docs/fidelity.md)",
    (idPart) => {
      const d = fixtureReport().details.find((x) => x.id.includes(idPart))!;
      expect(d.tpotApe).toBeLessThanOrEqual(TPOT_TOL);
      expect(d.simTtftMs).toBeGreaterThan(d.measuredTtftMs);
      expect(d.simTtftMs).toBeLessThanOrEqual(2.1 * d.measuredTtftMs);
    },
  );

  it("meets the error targets on the fixture (TPOT <= 10%; TTFT <= 25% for SGLang and for vLLM Qwen3-32B)", () => {
    const r = fixtureReport();
    for (const b of ["sglang", "vllm"]) expect(r.byBackend[b].tpotMape).toBeLessThanOrEqual(0.1);
    expect(r.byBackend.sglang.ttftMape).toBeLessThanOrEqual(0.25);
    const qwen = r.details.filter((d) => d.backend === "vllm" && d.model.includes("Qwen3"));
    expect(qwen.reduce((s, d) => s + d.ttftApe, 0) / qwen.length).toBeLessThanOrEqual(0.25);
  });

  it("a synchronized wave of SGLang prefills: the mean TTFT exceeds one 8192-token chunk", () => {
    // 16 prompts of 1024 tokens, Qwen3-32B tp2, SGLang 0.5.1: two 8192-token chunks prefill before any
    // decoding (prefill first), so half the wave waits for both (a chunk takes about 450 ms).
    const s = fixtureReport().details.find((x) => x.id.includes("sglang_agg_1024x128_c16_tp2"))!;
    expect(s.simTtftMs).toBeGreaterThan(500);
  });
});

describe("engine versions and kernels of the measured engines", () => {
  it("passes each row's backend_version through engine.version (post releases as listed or as their release)", () => {
    expect(modelledVersion("sglang", "0.5.1.post1")).toBe("0.5.1.post1");
    expect(modelledVersion("sglang", "0.5.6.post3")).toBe("0.5.6.post2"); // newest listed not newer
    expect(modelledVersion("sglang", "0.5.7")).toBe("0.5.6.post2");
    expect(modelledVersion("vllm", "0.12.0")).toBe("0.12.0");
    expect(modelledVersion("vllm", "0.9.2")).toBe("0.10.0"); // older than every listed one: the oldest
    expect(modelledVersion("vllm", "")).toBeUndefined(); // unrecorded: the newest modelled
    const rows = readE2eCsv(FIXTURE);
    const [r] = rows;
    expect(deploymentForRow(r).engine.version).toBe("0.5.1.post1");
    // vLLM rows ran AIConfigurator's generated flags: batch_size + isl + 1500 batched tokens, batch_size sequences.
    const v = rows.find((x) => x.id.includes("vllm_agg_1024x128_c8_tp2"))!;
    expect(deploymentForRow(v).engine).toMatchObject({ kind: "vllm", version: "0.12.0", chunkedPrefillSize: 8 + 1024 + 1500, maxRunningRequests: 8 });
    expect(prepareRow(r).engine).toMatchObject({ version: "0.5.1.post1", memFractionStatic: 0.868, retractFreeTokensPerReq: 20, cudaGraphMaxBs: 160 });
  });

  it("simulates quantized checkpoint names as their base model with fp8 weights, GEMM kind from gemm_quant_mode", () => {
    const header = "system,backend,backend_version,model_path,precision,gemm_quant_mode,isl,osl,tp_size,pp_size,batch_size,concurrency,silicon_ttft_ms,silicon_tpot_ms,id";
    const rows = readE2eCsv(file("ckpt.csv", [
      header,
      "h200_sxm,sglang,0.5.6.post2,nvidia/Llama-3.1-8B-Instruct-FP8,,fp8,1024,128,1,1,8,8,100,5,a",
      "h200_sxm,sglang,0.5.6.post2,Qwen/Qwen3-32B-FP8,,fp8,1024,128,2,1,8,8,100,5,b",
    ].join("\n") + "\n"));
    expect(rows.map(skipReason)).toEqual([undefined, undefined]);
    const [a, b] = rows.map((r) => prepareRow(r));
    expect([a.model.id, a.deployment.weights, a.fp8Gemm]).toEqual(["llama-3.1-8b", "fp8", "fp8"]);
    // Qwen's FP8 checkpoint is block-quantized, but the row was measured as per-tensor fp8.
    expect([b.model.id, b.deployment.weights, b.fp8Gemm]).toEqual(["qwen3-32b", "fp8", "fp8"]);
  });

  it("interpolates the fp8 GEMM between powers of two for vLLM's single-config CUTLASS kernel", () => {
    const km = new KernelModel({ gpu: resolveGpu("h100_sxm"), backend: "auto", fits: loadRooflineFits(), profiles: loadKernelProfiles("h100_sxm") });
    const [n, k] = [7168, 8192];
    const at = (m: number) => km.gemmMs("fp8", m, n, k);
    for (const m of [1, 64, 128, 256, 1024, 2048]) expect(km.gemmMsSmoothM("fp8", m, n, k)).toBe(at(m));
    expect(km.gemmMsSmoothM("fp8", 1536, n, k)).toBeCloseTo((at(1024) + at(2048)) / 2, 12);
    // The SGLang-measured table jumps by more than a third just past 1024 rows; the smoothed value does not.
    expect(at(1025) / at(1024)).toBeGreaterThan(1.3);
    expect(km.gemmMsSmoothM("fp8", 1025, n, k) / at(1024)).toBeLessThan(1.01);
  });
});

describe("validate e2e CLI", () => {
  const header =
    "system,backend,backend_version,model_path,precision,gemm_quant_mode,isl,osl,tp_size,pp_size,batch_size,concurrency,silicon_ttft_ms,silicon_tpot_ms,id";
  const row = (isl = "1024", conc = "8", ttft = "150", extra = "") =>
    `h100_sxm,vllm,0.12.0,Qwen/Qwen3-32B,,,${isl},128,8,1,8,${conc},${ttft},8.5,r1${extra}`;

  it("prints the spec's JSON", async () => {
    const csv = file("ok.csv", [header, row(), "h100_sxm,trtllm,1.0,Qwen/Qwen3-32B,,,1024,128,8,1,8,8,100,8,r2"].join("\n") + "\n");
    const r = await cli("validate", "e2e", "--measured", csv, "--json");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ rows: 1, skipped: 1, byBackend: { vllm: { rows: 1 } } });
    for (const k of ["ttftMape", "tpotMape"]) expect(typeof j[k]).toBe("number");
    expect(j.details).toBeUndefined();
  });

  it("prints a table of errors per backend", async () => {
    const r = await cli("validate", "e2e", "--measured", file("ok2.csv", `${header}\n${row()}\n`));
    expect(r.code).toBe(0);
    for (const s of ["TTFT MAPE", "TPOT MAPE", "vllm", "Largest errors"]) expect(r.stdout).toContain(s);
  });

  it.each([
    ["a missing file", () => join(dir, "nope.csv"), /nope\.csv.*does not exist/],
    ["missing columns", () => file("cols.csv", "system,backend,isl\nh100_sxm,vllm,1024\n"), /missing model_path, gemm_quant_mode, osl/],
    ["a non-numeric length", () => file("num.csv", `${header}\n${row("abc")}\n`), /line 2, column isl.*expected a positive number, got "abc"/],
    ["a negative TTFT", () => file("neg.csv", `${header}\n${row("1024", "8", "-3")}\n`), /line 2, column silicon_ttft_ms/],
    ["a short line", () => file("short.csv", `${header}\nh100_sxm,vllm,0.12.0\n`), /line 2.*expected 15 fields, found 3/],
    ["no data rows", () => file("empty.csv", `${header}\n`), /no data rows/],
  ])("exits 2 on %s with one clear message", async (_name, path, pattern) => {
    const r = await cli("validate", "e2e", "--measured", path());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(r.stdout).toBe("");
  });

  it("reads an empty concurrency as not recorded instead of guessing it from batch_size", () => {
    const rows = readE2eCsv(file("noconc.csv", `${header}\n${row("1024", "")}\n`));
    expect(Number.isNaN(rows[0].concurrency)).toBe(true);
    expect(validateE2e(rows).skippedReasons).toEqual({ "no concurrency recorded": 1 });
  });
});
