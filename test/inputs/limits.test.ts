/**
 * Hostile and absurd inputs end with exit 2 and a message naming the file, the JSON path and the
 * limit, before anything big is allocated; the cases of issue 13's table and their neighbours.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";

const root = resolve(new URL("../..", import.meta.url).pathname);
const SMALL_SPACE = join(root, "search-spaces/small.json");
const dir = mkdtempSync(join(tmpdir(), "hisim-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let k = 0;
function file(content: unknown, name = `f${k++}.json`): string {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

const dep = (extra: object = {}) => file({ model: "llama-3.1-8b", gpu: "h100_sxm", ...extra });
const closedLoop = (extra: object = {}) =>
  file({ kind: "closed-loop", concurrency: 4, requests: 40, inputTokens: { fixed: 512 }, outputTokens: { fixed: 32 }, ...extra });
const synthetic = (extra: object = {}) =>
  file({ kind: "synthetic", requests: 100, arrival: { process: "poisson", ratePerS: 10 }, inputTokens: { fixed: 100 }, outputTokens: { fixed: 10 }, ...extra });
/** A Hugging Face config of a small model with a 4,096-token context. */
const tinyCtxModel = (() => {
  const d = join(dir, "tiny-ctx");
  mkdirSync(d);
  writeFileSync(join(d, "config.json"), JSON.stringify({
    hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 16, num_key_value_heads: 8, vocab_size: 32000,
    intermediate_size: 5632, max_position_embeddings: 4096,
  }));
  return join(d, "config.json");
})();

async function expectInputError(argv: string[], file: string, path: string | undefined, pattern: RegExp): Promise<void> {
  const r = await cli(...argv);
  expect(r.stdout).toBe("");
  expect(r.code).toBe(2);
  expect(r.stderr).toContain(path === undefined ? file : `${file}: ${path}: `);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
}

describe("deployments", () => {
  it.each([
    ["pageSize 64 > chunkedPrefillSize 16", { pageSize: 64, chunkedPrefillSize: 16 }, /pageSize 64 is larger than chunkedPrefillSize 16: no prefill chunk could hold one page/],
    ["pageSize 4096 > chunkedPrefillSize 2048", { pageSize: 4096, chunkedPrefillSize: 2048 }, /pageSize 4096 is larger than chunkedPrefillSize 2048/],
    ["a pageSize that does not divide the default chunk", { pageSize: 3000 }, /pageSize 3000 does not divide chunkedPrefillSize 8192 \(the engine's default on this GPU\): SGLang refuses it/],
  ])("rejects %s", async (_what, engine, pattern) => {
    const d = dep({ engine });
    await expectInputError(["simulate", "--deployment", d, "--workload", closedLoop()], d, "/engine/pageSize", pattern);
  });

  it.each([
    ["l2.capacityGb 1e12", { l2: { capacityGb: 1e12 } }, "/kvCache/l2/capacityGb", /expected at most 32768, got 1000000000000 \(Host memory per replica/],
    ["l3.capacityGb 1e12", { l2: { capacityGb: 100 }, l3: { media: "nvme", capacityGb: 1e12 } }, "/kvCache/l3/capacityGb", /expected at most 10000000/],
  ])("rejects an absurd tier: %s", async (_what, kvCache, path, pattern) => {
    const d = dep({ kvCache });
    await expectInputError(["simulate", "--deployment", d, "--workload", closedLoop()], d, path, pattern);
  });

  it("bounds the L2 tier by the replica's host memory (hostMemoryGbPerGpu x tp)", async () => {
    const ok = dep({ gpu: "h100_sxm", tp: 2, kvCache: { l2: { capacityGb: 512 } } });
    expect((await cli("validate", "config", ok)).code).toBe(0);
    const d = dep({ gpu: "h100_sxm", tp: 2, kvCache: { l2: { capacityGb: 787 } } });
    await expectInputError(["simulate", "--deployment", d, "--workload", closedLoop()], d, "/kvCache/l2/capacityGb",
      /787 GB is more host memory than a replica of tp=2 on h100_sxm has \(256 GB per GPU x 2\); expected at most 512 GB, or an L3 tier for more/);
  });

  it("bounds an L3 on local NVMe by the GPUs' drives (localNvmeGbPerGpu x tp, x replicas when shared)", async () => {
    // h100_sxm: p5.48xlarge 30,400 GB / 8 = 3,800 GB per GPU; tp=2 x 3 replicas = 22,800 GB shared.
    const l3 = (media: string, capacityGb: number, shared: boolean) =>
      dep({ gpu: "h100_sxm", tp: 2, replicas: 3, kvCache: { l2: { capacityGb: 100 }, l3: { media, capacityGb, shared } } });
    for (const ok of [l3("nvme", 22_800, true), l3("file", 7_600, false), l3("remote_pool", 100_000, true)]) {
      expect((await cli("validate", "config", ok)).code).toBe(0);
    }
    const shared = l3("nvme", 22_801, true);
    await expectInputError(["simulate", "--deployment", shared, "--workload", closedLoop()], shared, "/kvCache/l3/capacityGb",
      /22801 GB of nvme is more local NVMe than the 3 replicas of tp=2 on h100_sxm have together \(3800 GB per GPU x 2 x 3\); expected at most 22800 GB, more replicas, or a remote_pool L3 for more/);
    // l40s: g6e.48xlarge 7,600 GB / 8 = 950 GB per GPU; a per-replica file tier on one GPU.
    const own = dep({ gpu: "l40s", kvCache: { l2: { capacityGb: 100 }, l3: { media: "file", capacityGb: 951, shared: false } } });
    await expectInputError(["simulate", "--deployment", own, "--workload", closedLoop()], own, "/kvCache/l3/capacityGb",
      /951 GB of file is more local NVMe than a replica of tp=1 on l40s has \(950 GB per GPU x 1\); expected at most 950 GB, or a remote_pool L3 for more/);
  });

  it("rejects a Hugging Face config field of the wrong type instead of ignoring it", async () => {
    const d = join(dir, "hf-eight");
    mkdirSync(d);
    const cfg = join(d, "config.json");
    writeFileSync(cfg, JSON.stringify({ hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: "eight", vocab_size: 128256, intermediate_size: 14336 }));
    const p = dep({ model: cfg });
    await expectInputError(["simulate", "--deployment", p, "--workload", closedLoop()], cfg, "/num_key_value_heads", /expected a non-negative integer, got "eight"/);
  });

  it("rejects a workload whose requests can never fit one replica's KV pool", async () => {
    const d = file({ model: "qwen3-32b", gpu: "h100_sxm", tp: 1 });
    const w = closedLoop({ inputTokens: { fixed: 60_000 }, outputTokens: { fixed: 100 } });
    await expectInputError(["simulate", "--deployment", d, "--workload", w], d, undefined, /40 of 40 requests of .* can never be served: each needs more KV than one replica's GPU pool holds/);
  });
});

describe("workloads", () => {
  it.each([
    ["requests 1e9", { requests: 1e9 }, "/requests", /expected at most 2000000, got 1000000000/],
    ["inputTokens fixed 1e8", { inputTokens: { fixed: 1e8 } }, "/inputTokens/fixed", /expected at most 10000000/],
    ["lognormal max 10 below its mean 600", { inputTokens: { lognormal: { mean: 600, sigma: 0.8 }, max: 10 } }, "/inputTokens/max", /max 10 is below the lognormal's mean 600/],
    ["lognormal sigma 1e6", { inputTokens: { lognormal: { mean: 600, sigma: 1e6 }, max: 10_000 } }, "/inputTokens/lognormal/sigma", /expected at most 3, got 1000000/],
    ["a gamma cv of 5e-221 (found by the property suite: every arrival time became NaN)", { arrival: { process: "gamma", ratePerS: 9, cv: 5e-221 } }, "/arrival/cv", /expected at least 0\.01, got 5\.04?2?e-221|expected at least 0\.01, got 5e-221/],
    ["a rate of 1e-300 req/s", { arrival: { process: "poisson", ratePerS: 1e-300 } }, "/arrival/ratePerS", /expected at least 0\.000001/],
    ["uniform range above max", { inputTokens: { uniform: [500, 900], max: 100 } }, "/inputTokens/max", /max 100 is below the whole range/],
    ["a table of 2M requests x 10K tokens in 1-token blocks", { requests: 2_000_000, inputTokens: { fixed: 10_000 }, blockSize: 1 }, "/requests", /the request table would hold about 20,000,000,000 prefix blocks.*expected at most 268,435,456/],
  ])("rejects %s", async (_what, extra, path, pattern) => {
    const w = synthetic(extra);
    await expectInputError(["simulate", "--deployment", dep(), "--workload", w], w, path, pattern);
  });

  it.each([
    ["a fixed prompt beyond the context", { inputTokens: { fixed: 200_000 } }, "/inputTokens/fixed", /prompts can reach 200,000 tokens, beyond llama-3\.1-8b's context length of 131,072 tokens; expected at most 131,062/],
    ["an unclipped lognormal", { inputTokens: { lognormal: { mean: 600, sigma: 0.8 } } }, "/inputTokens", /a lognormal without max is unbounded, so some prompts would exceed llama-3\.1-8b.s context length of 131,072 tokens; expected a max of at most 131,062/],
    ["prompt + answer beyond the context", { inputTokens: { fixed: 131_000 }, outputTokens: { fixed: 1000 } }, "/outputTokens/fixed", /plus answer .* beyond llama-3\.1-8b's context length/],
    ["a system prompt + text beyond the context", { prefix: { systemPrompts: 1, systemPromptTokens: 100_000 }, inputTokens: { uniform: [1, 40_000] } }, "/inputTokens/uniform/1", /\(100,000 of system prompt \+ 40,000\)/],
  ])("rejects %s against the deployment's model", async (_what, extra, path, pattern) => {
    const w = synthetic(extra);
    await expectInputError(["simulate", "--deployment", dep(), "--workload", w], w, path, pattern);
  });

  it("rejects sessions whose history outgrows the context (checked on the generated requests)", async () => {
    const w = synthetic({ inputTokens: { fixed: 500 }, outputTokens: { fixed: 200 }, prefix: { sessions: { turnsMean: 30 } } });
    const d = dep({ model: tinyCtxModel });
    await expectInputError(["simulate", "--deployment", d, "--workload", w], w, "/prefix/sessions/turnsMean", /requests exceed tiny-ctx's context length of 4,096 tokens .*each turn's prompt repeats the session's history/);
  });

  it("rejects a trace whose timestamps span beyond any finite simulation", async () => {
    const trace = file('{"timestamp": 0, "input_length": 100, "output_length": 10}\n{"timestamp": 1e300, "input_length": 200, "output_length": 10}\n', "far.jsonl");
    const w = file({ kind: "trace", path: trace, format: "mooncake" });
    await expectInputError(["simulate", "--deployment", dep(), "--workload", w], trace, undefined, /the trace's arrivals span 1\.00e\+297 s .*expected at most 1e9 s/);
  });

  it("rejects a trace whose prompts exceed the model's context, naming the trace", async () => {
    const trace = file('{"timestamp": 0, "input_length": 100, "output_length": 10}\n{"timestamp": 1000, "input_length": 5000, "output_length": 10}\n', "long.jsonl");
    const w = file({ kind: "trace", path: trace, format: "mooncake" });
    const d = dep({ model: tinyCtxModel });
    await expectInputError(["simulate", "--deployment", d, "--workload", w], w, "/path", /1 of 2 requests exceed tiny-ctx's context length of 4,096 tokens \(prompt \+ answer; the longest: 5,000 \+ 10 tokens\) in .*long\.jsonl/);
  });
});

describe("traces with no arrival rate, searched", () => {
  const slo = (trace: string) => file({
    name: "t", model: "llama-3.1-8b", workload: { kind: "trace", path: trace, format: "mooncake" },
    targets: { ttftMs: { percentile: 99, max: 2000 }, tpotMs: { percentile: 99, max: 50 } }, searchSpace: SMALL_SPACE,
  });
  it.each([
    ["duplicate timestamps (span 0)", '{"timestamp": 5, "input_length": 100, "output_length": 10}\n{"timestamp": 5, "input_length": 200, "output_length": 10}\n', /all 2 of its requests arrive at the same instant/],
    ["a single request", '{"timestamp": 5, "input_length": 100, "output_length": 10}\n', /it has a single request/],
  ])("rejects %s instead of searching at Infinity req/s", async (_what, text, pattern) => {
    const s = slo(file(text, `t${k++}.jsonl`));
    await expectInputError(["--slo", s, "--out", join(dir, `run-${k++}`), "--quiet", "--workers", "1"], s, "/workload/path", pattern);
  });

  it("simulates the same burst as it is (every request completes)", async () => {
    const trace = file('{"timestamp": 5, "input_length": 100, "output_length": 10}\n{"timestamp": 5, "input_length": 200, "output_length": 10}\n', "burst.jsonl");
    const r = await cli("simulate", "--deployment", dep(), "--workload", file({ kind: "trace", path: trace, format: "mooncake" }), "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.completed).toBe(2);
    expect(j.ttftMs.p50).toBeGreaterThan(0);
  });
});

describe("searches whose replay would not fit in memory", () => {
  it("refuses a demand so high that the search's extended workload would exceed a request table (found by the property suite: exit 1, RangeError)", async () => {
    const base = JSON.parse(readFileSync(join(root, "test/fixtures/search/small-slo.json"), "utf8"));
    const s = file({ ...base, workload: { ...base.workload, requests: 300, arrival: { process: "poisson", ratePerS: 75_338 } }, searchSpace: SMALL_SPACE });
    await expectInputError(["--slo", s, "--out", join(dir, `run-${k++}`), "--quiet", "--workers", "1", "--max-runs", "3"], s, "/workload/requests",
      /replaying \d+ s of arrivals at up to [\d.]+ req\/s \(the rates the search probes\) takes [\d,]+ requests, beyond what one request table may hold/);
  });
});

describe("--out", () => {
  const slo = join(root, "test/fixtures/search/small-slo.json");
  it.each([
    [["--slo", slo, "--quiet", "--out", ""], /--out: expected a folder path, got an empty string/],
    [["--slo", slo, "--quiet", "--out", "/proc/x"], /--out \/proc\/x: cannot write in \/proc/],
    [["--slo", slo, "--quiet", "--out", "/proc/self/x/y"], /--out \/proc\/self\/x\/y: cannot write in \/proc\/self/],
    [["compare-gpus", "--slo", slo, "--quiet", "--out", "/proc/x"], /--out \/proc\/x: cannot write in \/proc/],
    [["compare-gpus", "--slo", slo, "--quiet", "--out", ""], /--out: expected a folder path, got an empty string/],
    [["nightly", "--plan", join(root, "examples/nightly-plan.json"), "--quiet", "--out", "/proc/x"], /--out \/proc\/x: cannot write in \/proc/],
    [["nightly", "--plan", join(root, "examples/nightly-plan.json"), "--quiet", "--out", ""], /--out: expected a folder path, got an empty string/],
    [["--slo", slo, "--quiet", "--resume", "--out", join(dir, "nothing-here")], /--resume: .*nothing-here does not exist/],
    [["simulate", "--deployment", join(root, "examples/mooncake/gpu-round_robin.json"), "--workload", join(root, "examples/mooncake/workload-slice.json"), "--out", ""], /--out: expected a file path, got an empty string/],
    [["simulate", "--deployment", join(root, "examples/mooncake/gpu-round_robin.json"), "--workload", join(root, "examples/mooncake/workload-slice.json"), "--out", "/proc/x"], /--out \/proc\/x: cannot write in \/proc/],
  ])("refuses %j before any work (exit 2)", async (argv, pattern) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
  });
});
