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
import { CLIENT_PHASE, sglangMemFractionForVersion, validateE2e, type E2eReport } from "../../src/runner/validate-e2e.js";
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
 * (number of requests per client unrecorded), so its band is wider.
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
    ["vllm", "fp8_agg_1024x1024_c16_tp2"],
    ["vllm", "fp8_agg_1024x1024_c32_tp8"],
  ])("%s %s stays within the tolerance of its measurement", (backend, idPart) => {
    const d = fixtureReport().details.find((x) => x.backend === backend && x.id.includes(idPart));
    expect(d).toBeDefined();
    expect(d!.tpotApe).toBeLessThanOrEqual(TPOT_TOL);
    expect(d!.ttftApe).toBeLessThanOrEqual(TTFT_TOL);
  });

  it("meets the per-engine error targets on the fixture (TPOT <= 10%, TTFT <= 25%)", () => {
    for (const b of ["sglang", "vllm"]) {
      expect(fixtureReport().byBackend[b].tpotMape).toBeLessThanOrEqual(0.1);
      expect(fixtureReport().byBackend[b].ttftMape).toBeLessThanOrEqual(0.25);
    }
  });

  it("replays vLLM clients out of phase and SGLang clients as waves", () => {
    expect(CLIENT_PHASE).toEqual({ sglang: "wave", vllm: "independent" });
    // A synchronized wave of 8 prefills of 1024 tokens on Qwen3-32B tp2 takes about 470 ms; the
    // measured TTFT is 154 ms, which only out-of-phase clients reach.
    const d = fixtureReport().details.find((x) => x.id.includes("vllm_agg_1024x128_c8_tp2"))!;
    expect(d.simTtftMs).toBeLessThan(250);
    // SGLang's wave: 16 prompts of 1024 tokens prefill together (two 8192-token chunks); the first
    // token of the second half comes after both chunks, so the mean TTFT exceeds one chunk.
    const s = fixtureReport().details.find((x) => x.id.includes("sglang_agg_1024x128_c16_tp2"))!;
    expect(s.simTtftMs).toBeGreaterThan(500);
  });
});

describe("engine versions and kernels of the measured engines", () => {
  it("uses SGLang's mem_fraction_static rule of the row's version", () => {
    // H100 (80 GB = 81920 MB), chunk 8192, cuda_graph_max_bs 256 below tp 4, 512 from tp 4.
    expect(sglangMemFractionForVersion("0.5.8.post1", 80, 1)).toBe(0.836); // reserved 512+12288+512+128
    expect(sglangMemFractionForVersion("0.5.3", 80, 8)).toBe(0.819); // reserved 512+12288+1024+1024
    expect(sglangMemFractionForVersion("0.5.10", 141, 2)).toBe(0.906); // 130816 / 144384 MB (reserved 13568)
    expect(sglangMemFractionForVersion("0.5.1.post1", 80, 2)).toBeUndefined();
    expect(sglangMemFractionForVersion("", 80, 2)).toBeUndefined();
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
