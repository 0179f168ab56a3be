/**
 * Dev script: golden outputs of the simulator, to check that a performance change leaves every result
 * byte-identical. Records, for a fixed set of deployments x workloads (SGLang and vLLM, fcfs and lpm,
 * with and without L2/L3 tiers and every write/prefetch/eviction policy, 1 to 4 replicas behind every
 * router policy, under- and overloaded), the `simulate --json` summary, the event count, the peak
 * requests in flight and a SHA-256 of every per-request outcome array.
 *
 *   node_modules/.bin/tsx scripts/sim-golden.ts record .tmp/golden   # before the change
 *   node_modules/.bin/tsx scripts/sim-golden.ts check .tmp/golden    # after it: exit 1 on any difference
 *
 * Goldens are not committed: a deliberate model change (engine overheads, estimator) changes them;
 * record them again on the commit before the change being checked. Add `--invariants` to check the
 * KV invariants every 997 events while running (slower).
 */
import { defaultPrices } from "../src/catalog/prices.js";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Deployment, DeploymentInput, WorkloadSpec } from "../src/config/types.js";
import { validateSchema } from "../src/config/validate.js";
import { buildRequestTable } from "../src/io/load-workload.js";
import { prepareDeployment, runSimulation } from "../src/runner/prepare.js";

const chat = (requests: number, ratePerS: number): WorkloadSpec => ({
  kind: "synthetic", requests, arrival: { process: "gamma", ratePerS, cv: 1.5 },
  inputTokens: { lognormal: { mean: 600, sigma: 0.8 }, max: 8192 },
  outputTokens: { lognormal: { mean: 250, sigma: 0.6 }, max: 2048 },
  prefix: { systemPrompts: 8, systemPromptTokens: 1024, zipfAlpha: 1.1, sessions: { turnsMean: 4, thinkTimeMeanS: 20 } },
});
const agent = (requests: number): WorkloadSpec => ({
  kind: "synthetic", requests, arrival: { process: "poisson", ratePerS: 1.876 },
  inputTokens: { lognormal: { mean: 1500, sigma: 0.9 }, max: 16384 }, outputTokens: { lognormal: { mean: 350, sigma: 0.7 }, max: 4096 },
  prefix: { systemPrompts: 4, systemPromptTokens: 12288, zipfAlpha: 1.0, sessions: { turnsMean: 6, thinkTimeMeanS: 3 } },
});
const coding: WorkloadSpec = {
  kind: "synthetic", requests: 3000, arrival: { process: "poisson", ratePerS: 1.876 },
  inputTokens: { lognormal: { mean: 3000, sigma: 0.9 }, max: 32768 }, outputTokens: { lognormal: { mean: 400, sigma: 0.7 }, max: 4096 },
  prefix: { systemPrompts: 4, systemPromptTokens: 16384, zipfAlpha: 1.0 },
};
const slice: WorkloadSpec = { kind: "trace", path: "slo-specs/traces/mooncake-conversation-slice.jsonl", format: "mooncake" };
const q32: DeploymentInput = { model: "qwen3-32b", gpu: "h100_sxm", tp: 2 };
const coder: DeploymentInput = { model: "qwen3-coder-480b-a35b", gpu: "h100_sxm", tp: 8, weights: "fp8" };

const CASES: [string, DeploymentInput, WorkloadSpec][] = [
  ["sglang-1r-chat", q32, chat(3000, 2.5)],
  ["sglang-1r-chat-overload", q32, chat(3000, 8)],
  ["sglang-1r-lpm-l2-write-back", { ...q32, engine: { schedulePolicy: "lpm" }, kvCache: { l2: { capacityGb: 64 }, writePolicy: "write_back" } }, chat(3000, 6)],
  ["vllm-1r-chat", { ...q32, engine: { kind: "vllm" } }, chat(3000, 4)],
  ["vllm-2r-round-robin-l2-l3-wait", { ...q32, engine: { kind: "vllm" }, replicas: 2, router: { policy: "round_robin" }, kvCache: { l2: { capacityGb: 32 }, l3: { media: "nvme", capacityGb: 500, shared: false }, prefetchPolicy: "wait_complete" } }, slice],
  ["sglang-4r-cache-aware-l2", { ...q32, replicas: 4, router: { policy: "cache_aware" }, kvCache: { l2: { capacityGb: 40 } } }, slice],
  ["sglang-4r-p2-l2-l3-lfu-selective-timeout", { ...q32, replicas: 4, router: { policy: "power_of_two" }, kvCache: { l2: { capacityGb: 20 }, l3: { media: "remote_pool", capacityGb: 2000 }, writePolicy: "write_through_selective", evictionPolicy: "lfu", prefetchPolicy: "timeout" } }, slice],
  ["sglang-3r-bucket-chat", { ...q32, replicas: 3, router: { policy: "bucket" } }, chat(4000, 9)],
  ["sglang-3r-least-load-l2-chat", { ...q32, replicas: 3, router: { policy: "least_load" }, kvCache: { l2: { capacityGb: 16 } } }, chat(4000, 12)],
  ["vllm-3r-random-chat", { ...q32, engine: { kind: "vllm" }, replicas: 3, router: { policy: "random" } }, chat(4000, 9)],
  ["sglang-closed-loop-8b", { model: "qwen3-8b", gpu: "h100_sxm", tp: 1, engine: { maxRunningRequests: 64 } }, { kind: "closed-loop", concurrency: 96, requests: 3000, inputTokens: { uniform: [100, 3000] }, outputTokens: { uniform: [10, 600] } }],
  ["coder-480b-coding", coder, coding],
  ["coder-480b-agent-overload", coder, agent(2500)],
  ["coder-480b-agent-overload-l2-lfu", { ...coder, kvCache: { l2: { capacityGb: 200 }, evictionPolicy: "lfu" } }, agent(2500)],
  ["sglang-1r-chat-overload-l2-l3", { ...q32, kvCache: { l2: { capacityGb: 30 }, l3: { media: "nvme", capacityGb: 300, shared: false } } }, chat(4000, 10)],
  ["sglang-2r-chat-overload-l2-l3-timeout", { ...q32, replicas: 2, router: { policy: "cache_aware" }, kvCache: { l2: { capacityGb: 30 }, l3: { media: "remote_pool", capacityGb: 300 }, prefetchPolicy: "timeout" } }, chat(5000, 16)],
  ["sglang-1r-no-prefix-cache", { ...q32, engine: { enablePrefixCaching: false } }, chat(2000, 3)],
];

/**
 * Seeded random cases on top of the fixed ones: small deployments drawn from every engine knob, tier
 * and policy the simulator models, on short multi-turn workloads (the same 24 cases on every run).
 */
function randomCases(count: number): [string, DeploymentInput, WorkloadSpec][] {
  let s = 12345;
  const rnd = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T,>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const out: [string, DeploymentInput, WorkloadSpec][] = [];
  for (let c = 0; c < count; c++) {
    const kind = pick(["sglang", "vllm"] as const);
    const engine: Record<string, unknown> = { kind, memFractionStatic: pick([0.3, 0.5, 0.85]) };
    if (rnd() < 0.5) engine.chunkedPrefillSize = pick([256, 512, 2048]);
    if (rnd() < 0.3) engine.pageSize = pick([1, 16]);
    if (rnd() < 0.3) engine.maxRunningRequests = pick([4, 16, 64]);
    if (kind === "sglang" && rnd() < 0.4) engine.schedulePolicy = "lpm";
    if (rnd() < 0.15) engine.enablePrefixCaching = false;
    const kvCache: Record<string, unknown> = {};
    if (rnd() < 0.6) {
      kvCache.l2 = { capacityGb: pick([4, 16]) };
      kvCache.writePolicy = pick(["write_through", "write_through_selective", "write_back"]);
      kvCache.evictionPolicy = pick(["lru", "lfu"]);
      if (rnd() < 0.5) {
        kvCache.l3 = { media: pick(["nvme", "remote_pool"]), capacityGb: pick([20, 200]) };
        kvCache.prefetchPolicy = pick(["best_effort", "wait_complete", "timeout"]);
      }
    }
    const replicas = pick([1, 1, 2, 3]);
    const d = { model: "qwen3-8b", gpu: "h100_sxm", tp: 1, engine, kvCache, replicas } as DeploymentInput;
    if (replicas > 1) d.router = { policy: pick(["cache_aware", "round_robin", "power_of_two", "least_load"] as const) };
    const w: WorkloadSpec = {
      kind: "synthetic", requests: 300, arrival: { process: "poisson", ratePerS: pick([2, 8, 30]) },
      inputTokens: { lognormal: { mean: pick([800, 3000]), sigma: 0.8 }, max: 16384 },
      outputTokens: { lognormal: { mean: 200, sigma: 0.6 }, max: 2048 },
      prefix: { systemPrompts: 4, systemPromptTokens: 2048, zipfAlpha: 1.1, sessions: { turnsMean: 3, thinkTimeMeanS: 2 } },
    };
    out.push([`random-${String(c).padStart(2, "0")}`, d, w]);
  }
  return out;
}
CASES.push(...randomCases(24));

const SEED = 7;

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2);
  const invariants = process.argv.includes("--invariants");
  if ((mode !== "record" && mode !== "check") || !dir) {
    process.stderr.write("usage: sim-golden.ts record|check <dir> [--invariants]\n");
    process.exit(2);
  }
  mkdirSync(dir, { recursive: true });
  let differ = 0;
  for (const [name, d, w] of CASES) {
    const dep = prepareDeployment(validateSchema<Deployment>("deployment", structuredClone(d)), undefined, { prices: defaultPrices() });
    const table = await buildRequestTable(validateSchema<WorkloadSpec>("workload", structuredClone(w)), process.cwd(), SEED);
    const t0 = performance.now();
    const res = runSimulation(dep, table, SEED, { checkInvariantsEvery: invariants ? 997 : 0 });
    const wallS = (performance.now() - t0) / 1000;
    const h = createHash("sha256");
    for (const a of Object.values(res.outcomes)) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const text = `${JSON.stringify({ summary: res.summary, events: res.events, peakInFlight: res.peakInFlight, outcomesSha256: h.digest("hex") }, null, 1)}\n`;
    const file = join(dir, `${name}.json`);
    let verdict = "recorded";
    if (mode === "check") {
      const same = readFileSync(file, "utf8") === text;
      verdict = same ? "same" : "DIFFERENT";
      if (!same) {
        differ++;
        writeFileSync(`${file}.new`, text);
      }
    } else {
      writeFileSync(file, text);
    }
    process.stdout.write(`${name.padEnd(42)} ${wallS.toFixed(2).padStart(6)} s  ${res.events} events  ${verdict}\n`);
  }
  if (differ > 0) {
    process.stdout.write(`${differ} case(s) differ (new outputs written next to the goldens as *.json.new)\n`);
    process.exit(1);
  }
}

await main();
