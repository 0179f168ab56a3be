/**
 * Property-based tests over the input schemas (fast-check): random and mutated deployments,
 * workloads, traces, SLO specs and search spaces, run through the CLI in this process. Each case
 * either exits 2 with a message naming a file (no stack trace, no internal error) or produces a
 * result whose invariants hold: every request completed (completed + rejected = requests, none
 * rejected since simulate refuses unservable requests), percentiles ordered, costs and rates >= 0.
 *
 * CI: a fixed seed and a few cases per property (well under a minute on 2 cores). By hand, a longer
 * run: `HISIM_PROPERTY_RUNS=500 [HISIM_PROPERTY_SEED=n] npx vitest run test/property` (a random
 * seed when none is given; a failure prints the seed and path: HISIM_PROPERTY_SEED=s HISIM_PROPERTY_PATH=p
 * replays it).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { testTempDir } from "../helpers/tmp.js";

const LONG = process.env.HISIM_PROPERTY_RUNS !== undefined;
const RUNS = LONG ? Number(process.env.HISIM_PROPERTY_RUNS) : 0;
const SEED = process.env.HISIM_PROPERTY_SEED !== undefined ? Number(process.env.HISIM_PROPERTY_SEED) : LONG ? Date.now() % 2 ** 31 : 20261204;
/** Cases per property: CI's small count, or the long mode's. */
const runs = (ci: number): number => (LONG ? RUNS : ci);
/** A hang guard for a whole property (not a timing assertion): generous, since the machine is shared. */
const TIMEOUT_MS = LONG ? 3_600_000 : 120_000;

const root = resolve(new URL("../..", import.meta.url).pathname);
const tmp = testTempDir("hisim-property-");
let fileNo = 0;
function write(content: unknown, ext = "json"): string {
  const p = join(tmp.path, `c${fileNo++}.${ext}`);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

/** What the long mode reports: how many cases ended which way. */
const tally = new Map<string, number>();
const count = (key: string): void => void tally.set(key, (tally.get(key) ?? 0) + 1);

// ---------------------------------------------------------------------------------------- mutation

/** Values a hostile or careless user puts where a number, string or object was expected. */
const hostile = fc.oneof(
  // Tiny and huge magnitudes included: a gamma cv of 5e-221 once made every arrival time NaN.
  fc.constantFrom(-1, 0, 0.5, 1, 2, 3, 16, 17, 64, 4096, 65_536, 1e6, 1e9, 1e12, -1e9, 1e300, 1e-300, 5e-221, null, true, false, "", "eight", "lru", "h100_sxm", [], {}, [1, 2]),
  fc.integer({ min: -10, max: 100_000 }),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.string({ maxLength: 6 }),
);

interface Mutation {
  op: "set" | "delete" | "add";
  pick: number;
  value: unknown;
  key: string;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom("set", "set", "set", "delete", "add"),
  pick: fc.nat(),
  value: hostile,
  key: fc.constantFrom("extra", "max", "tp", "capacityGb", "sigma", "$schema"),
});

/** Every JSON path (object key or array index) of `v`, parents before children. */
function paths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push([...at, i], ...paths(x, [...at, i])));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push([...at, k], ...paths(x, [...at, k]));
  return out;
}

/** `base` with the mutations applied (on a copy). */
function mutate<T>(base: T, muts: readonly Mutation[]): T {
  const obj = structuredClone(base) as unknown;
  for (const m of muts) {
    const all = paths(obj);
    if (all.length === 0) continue;
    const p = all[m.pick % all.length];
    let parent = obj as Record<string | number, unknown>;
    for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = p[p.length - 1];
    if (m.op === "set") parent[last] = structuredClone(m.value);
    else if (m.op === "delete" && !Array.isArray(parent)) delete parent[last];
    else if (m.op === "add") {
      const target = parent[last];
      if (target !== null && typeof target === "object" && !Array.isArray(target)) (target as Record<string, unknown>)[m.key] = structuredClone(m.value);
    }
  }
  return obj as T;
}

const mutations = fc.array(mutation, { maxLength: 3 });

// ----------------------------------------------------------------------------------- generators

const lengthDist = (lo: number, hi: number) =>
  fc.oneof(
    fc.record({ fixed: fc.integer({ min: lo, max: hi }) }),
    fc.tuple(fc.integer({ min: lo, max: hi }), fc.integer({ min: lo, max: hi })).map(([a, b]) => ({ uniform: [Math.min(a, b), Math.max(a, b)] })),
    fc.record({ lognormal: fc.record({ mean: fc.integer({ min: lo, max: hi }), sigma: fc.double({ min: 0, max: 1.5, noNaN: true }) }), max: fc.integer({ min: hi, max: hi * 4 }) }),
  );

/** Small valid workloads (a few hundred requests at most, so each simulation takes well under a second). */
const workload = fc.oneof(
  fc.record({
    kind: fc.constant("synthetic"),
    requests: fc.integer({ min: 1, max: 200 }),
    arrival: fc.oneof(
      fc.record({ process: fc.constantFrom("poisson", "constant"), ratePerS: fc.double({ min: 0.5, max: 50, noNaN: true }) }),
      fc.record({ process: fc.constant("gamma"), ratePerS: fc.double({ min: 0.5, max: 50, noNaN: true }), cv: fc.double({ min: 0.2, max: 4, noNaN: true }) }),
    ),
    inputTokens: lengthDist(1, 3000),
    outputTokens: lengthDist(1, 300),
    prefix: fc.option(fc.record({
      systemPrompts: fc.integer({ min: 1, max: 8 }),
      systemPromptTokens: fc.integer({ min: 0, max: 2048 }),
      zipfAlpha: fc.double({ min: 0, max: 2, noNaN: true }),
      sessions: fc.option(fc.record({ turnsMean: fc.double({ min: 1, max: 6, noNaN: true }), thinkTimeMeanS: fc.double({ min: 0, max: 30, noNaN: true }) }), { nil: undefined }),
    }, { requiredKeys: ["systemPrompts", "systemPromptTokens"] }), { nil: undefined }),
  }, { requiredKeys: ["kind", "requests", "arrival", "inputTokens", "outputTokens"] }),
  fc.record({
    kind: fc.constant("closed-loop"),
    concurrency: fc.integer({ min: 1, max: 16 }),
    requests: fc.integer({ min: 16, max: 200 }),
    inputTokens: lengthDist(1, 3000),
    outputTokens: lengthDist(1, 300),
  }),
);

const GPUS = ["h100_sxm", "a100_sxm", "h200_sxm", "h20", "b200", "l40s"] as const;
const deployment = fc.record({
  model: fc.constantFrom("llama-3.1-8b", "qwen3-8b", "qwen3-32b", "Qwen/Qwen3-8B"),
  gpu: fc.constantFrom(...GPUS),
  tp: fc.constantFrom(1, 2, 4),
  weights: fc.constantFrom("bf16", "fp8"),
  kvDtype: fc.constantFrom("bf16", "fp8"),
  replicas: fc.integer({ min: 1, max: 4 }),
  engine: fc.record({
    kind: fc.constantFrom("sglang", "vllm"),
    maxRunningRequests: fc.integer({ min: 1, max: 512 }),
    chunkedPrefillSize: fc.constantFrom(512, 2048, 8192),
    pageSize: fc.constantFrom(1, 16, 64),
  }, { requiredKeys: ["kind"] }),
  router: fc.record({ policy: fc.constantFrom("round_robin", "random", "least_load", "cache_aware", "power_of_two", "bucket") }),
  kvCache: fc.oneof(
    fc.constant({}),
    // Within every GPU's host memory at tp=1 (at least 144 GB per GPU).
    fc.record({ l2: fc.record({ capacityGb: fc.integer({ min: 1, max: 144 }) }) }),
    fc.record({
      l2: fc.record({ capacityGb: fc.integer({ min: 1, max: 144 }) }),
      // NVMe within every GPU's local drives at tp=1 (at least 950 GB per GPU); a remote pool has no node bound.
      l3: fc.oneof(
        fc.record({ media: fc.constant("nvme"), capacityGb: fc.integer({ min: 1, max: 950 }), shared: fc.boolean() }),
        fc.record({ media: fc.constant("remote_pool"), capacityGb: fc.integer({ min: 1, max: 5000 }), shared: fc.boolean() }),
      ),
      prefetchPolicy: fc.constantFrom("best_effort", "wait_complete", "timeout"),
    }),
  ),
}, { requiredKeys: ["model", "gpu"] });

/** A Mooncake-style JSONL trace, possibly with broken lines. */
const traceText = fc.array(
  fc.oneof(
    { weight: 30, arbitrary: fc.record({ timestamp: fc.integer({ min: 0, max: 60_000 }), input_length: fc.integer({ min: 1, max: 3000 }), output_length: fc.integer({ min: 1, max: 200 }), hash_ids: fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 6 }) }).map((r) => JSON.stringify(r)) },
    { weight: 1, arbitrary: fc.record({ timestamp: hostile, input_length: hostile, output_length: hostile }).map((r) => JSON.stringify(r)) },
    { weight: 1, arbitrary: fc.constantFrom("", "{", "[]", "null", '{"timestamp": 5}', "not json") },
  ),
  { maxLength: 40 },
).map((lines) => `${lines.join("\n")}\n`);

// ----------------------------------------------------------------------------------- invariants

/** The CLI's answer to an input it refuses: exit 2, a message naming what is wrong, no stack or internal error. */
function expectRefusal(r: { code: number; stdout: string; stderr: string }): void {
  // The message rides along, so a failing case shows what the CLI said.
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(/^(hisim-tune: |error: )/) });
  expect(r.stderr).not.toMatch(/internal error|\n\s+at |TypeError|RangeError/);
}

interface Stats { mean: number | null; p50: number | null; p90: number | null; p99: number | null }

function expectOrdered(s: Stats, name: string): void {
  if (s.p50 === null) return; // no samples of this metric (e.g. TPOT when every answer is one token)
  expect([name, s.p50 <= s.p90! && s.p90! <= s.p99!]).toEqual([name, true]);
  expect([name, s.p50 >= 0 && s.mean! >= 0]).toEqual([name, true]);
}

function expectSimulationInvariants(j: Record<string, unknown> & { requests: number; completed: number; rejected: number }): void {
  expect(j.completed + j.rejected).toBe(j.requests);
  expect(j.rejected).toBe(0);
  for (const k of ["ttftMs", "tpotMs", "itlMs", "e2eMs"]) expectOrdered(j[k] as Stats, k);
  const ttft = j.ttftMs as Stats;
  const e2e = j.e2eMs as Stats;
  expect(ttft.p50).not.toBeNull();
  expect(e2e.p50!).toBeGreaterThanOrEqual(ttft.p50! - 1e-6);
  for (const k of ["costUsdPerHour", "throughputRps", "outputTokensPerS", "inputTokensPerS", "simulatedS"]) expect(j[k] as number).toBeGreaterThanOrEqual(0);
  const hit = j.prefixHitRate as Record<string, number>;
  for (const v of Object.values(hit)) expect(v).toBeGreaterThanOrEqual(0);
  expect(hit.total).toBeLessThanOrEqual(1 + 1e-9);
}

/** The long mode's sample of refusal reasons: the message with file names and numbers blanked. */
const reasons = new Map<string, number>();
function noteReason(stderr: string): void {
  const line = stderr.split("\n").find((l) => l.startsWith("  ")) ?? stderr.split("\n")[0];
  const key = line.replace(/\S*\/c\d+\.\w+/g, "<file>").replace(/-?\d[\d.,e+]*/g, "N").replace(/"[^"]*"/g, '"…"').trim().slice(0, 110);
  reasons.set(key, (reasons.get(key) ?? 0) + 1);
}

async function simulateCase(label: string, dep: unknown, wl: unknown, seed: number): Promise<void> {
  const r = await cli("simulate", "--deployment", write(dep), "--workload", write(wl), "--seed", String(seed), "--json");
  if (r.code === 0) {
    count(`${label}: result`);
    expectSimulationInvariants(JSON.parse(r.stdout));
  } else {
    count(`${label}: exit ${r.code}`);
    noteReason(r.stderr);
    expectRefusal(r);
  }
}

// -------------------------------------------------------------------------------------- properties

/** HISIM_PROPERTY_PATH replays one failing case (with its seed): fast-check's `path` from the failure report. */
const PATH = process.env.HISIM_PROPERTY_PATH;
const params = (n: number) => ({ numRuns: runs(n), seed: SEED, endOnFailure: true, verbose: LONG ? 1 : 0, ...(PATH ? { path: PATH } : {}) } as const);

describe(`hostile inputs (fast-check seed ${SEED}${LONG ? `, ${RUNS} runs per property` : ""})`, () => {
  it("valid deployments and workloads simulate with sound invariants or are refused with exit 2", async () => {
    await fc.assert(fc.asyncProperty(deployment, workload, fc.nat(1000), (d, w, s) => simulateCase("simulate valid", d, w, s)), params(15));
  }, TIMEOUT_MS);

  it("mutated deployments and workloads: exit 2 with a message, or a sound result", async () => {
    await fc.assert(fc.asyncProperty(deployment, workload, mutations, mutations, fc.nat(1000), (d, w, md, mw, s) => simulateCase("simulate mutated", mutate(d, md), mutate(w, mw), s)), params(40));
  }, TIMEOUT_MS);

  it("random and broken traces: simulate and trace stats exit 0 or 2, never crash", async () => {
    await fc.assert(fc.asyncProperty(traceText, async (text) => {
      const trace = write(text, "jsonl");
      await simulateCase("simulate trace", { model: "llama-3.1-8b", gpu: "h100_sxm", replicas: 2 }, { kind: "trace", path: trace, format: "mooncake" }, 1);
      const r = await cli("trace", "stats", trace, "--json");
      if (r.code === 0) {
        count("trace stats: result");
        const j = JSON.parse(r.stdout) as { requests: number; spanS: number; rateRps: number | null };
        expect(j.requests).toBeGreaterThan(0);
        expect(j.spanS).toBeGreaterThanOrEqual(0);
        if (j.rateRps !== null) expect(Number.isFinite(j.rateRps)).toBe(true);
      } else {
        count(`trace stats: exit ${r.code}`);
        noteReason(r.stderr);
        expectRefusal(r);
      }
    }), params(20));
  }, TIMEOUT_MS);

  it("mutated SLO specs and search spaces: the search exits 2 with a message, or writes a sound frontier", async () => {
    const baseSlo = JSON.parse(readFileSync(join(root, "test/fixtures/search/small-slo.json"), "utf8")) as Record<string, unknown>;
    const baseSpace = JSON.parse(readFileSync(join(root, "search-spaces/small.json"), "utf8")) as Record<string, unknown>;
    // Small enough that a search of a few trials stays quick.
    baseSlo.workload = { ...(baseSlo.workload as object), requests: 300 };
    await fc.assert(fc.asyncProperty(mutations, mutations, async (ms, mp) => {
      const space = write(mutate(baseSpace, mp));
      const slo = write({ ...mutate(baseSlo, ms), searchSpace: space });
      const out = join(tmp.path, `run-${fileNo++}`);
      const r = await cli("--slo", slo, "--out", out, "--workers", "1", "--max-runs", "3", "--quiet", "--json");
      if (r.code === 2) {
        count("search: exit 2");
        noteReason(r.stderr);
        expectRefusal(r);
        return;
      }
      count(`search: exit ${r.code}`);
      expect([0, 3]).toContain(r.code);
      const f = JSON.parse(readFileSync(join(out, "frontier.json"), "utf8")) as {
        points: { costUsdPerHour: number; capacityRps: number; sloMet: boolean }[]; recommended: { sloMet: boolean } | null;
      };
      for (const p of f.points) {
        expect(p.costUsdPerHour).toBeGreaterThanOrEqual(0);
        expect(p.capacityRps).toBeGreaterThanOrEqual(0);
      }
      if (f.recommended) expect(f.recommended.sloMet).toBe(true);
    }), params(10));
  }, TIMEOUT_MS);

  // The long mode's report: a hook, not a test (it asserts nothing), so the CI run skips no test.
  afterAll(() => {
    if (!LONG) return;
    console.log(`property cases by outcome (seed ${SEED}):`, Object.fromEntries([...tally.entries()].sort()));
    console.log("refusals by message:", Object.fromEntries([...reasons.entries()].sort((a, b) => b[1] - a[1])));
  });
});
