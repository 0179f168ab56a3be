/**
 * Deploy commands: every flag the writer emits, for every modelled release of both engines and the
 * paired router release, is defined in the flag list kept in the repo (src/catalog/engine-flags.json,
 * read from the engines' own argument definitions: file + function + line per release); the commands
 * carry the deployment's TP, quantization, limits and tiers (values written by hand here).
 */
import { describe, expect, it } from "vitest";
import { flagIssues, flagNames, flagSource } from "../../src/catalog/engine-flags.js";
import { SGLANG_VERSIONS, VLLM_VERSIONS } from "../../src/config/schemas/deployment.schema.js";
import type { Deployment, DeploymentInput, WorkloadSpec } from "../../src/config/types.js";
import { validateSchema } from "../../src/config/validate.js";
import { plainArgs, shellText } from "../../src/deploy/command.js";
import { buildDeployPlan } from "../../src/deploy/deploy-plan.js";
import { placeReplicas } from "../../src/deploy/placement.js";
import { buildRequestTable } from "../../src/io/load-workload.js";
import { longestRequestTokens as longestRequestTokens_ } from "../../src/search/seed-workloads.js";
import { TEST_PRICES } from "../helpers/prices.js";

const dep = (x: DeploymentInput): Deployment => validateSchema<Deployment>("deployment", structuredClone(x));

/** Everything a command can carry: fp8 weights and KV, limits, L2 + L3 with policies, cache_aware. */
function full(kind: "sglang" | "vllm", version: (typeof SGLANG_VERSIONS)[number] | (typeof VLLM_VERSIONS)[number], extra: Partial<DeploymentInput> = {}): Deployment {
  return dep({
    model: "qwen3-32b", gpu: "h100_sxm", tp: 2, weights: "fp8", kvDtype: "fp8", replicas: 6,
    engine: { kind, version, maxRunningRequests: 96, chunkedPrefillSize: 4096, maxPrefillTokens: 8192, memFractionStatic: 0.85, pageSize: kind === "vllm" ? 16 : 64, schedulePolicy: "lpm", enablePrefixCaching: kind === "vllm" ? false : true },
    router: { policy: "cache_aware" },
    kvCache: {
      l2: { capacityGb: 256 }, l3: { media: "remote_pool", capacityGb: 4096, shared: true },
      writePolicy: "write_through_selective", prefetchPolicy: "timeout", evictionPolicy: "lfu",
      prefetchThresholdTokens: 128, prefetchTimeoutBaseS: 2, prefetchTimeoutPerKiTokenS: 0.1,
    },
    ...extra,
  });
}

/** The value after `flag` in `args` (undefined when absent). */
const valueOf = (args: string[], flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

describe("every emitted flag is defined by the target release (list kept in src/catalog/engine-flags.json)", () => {
  const cases = [
    ...SGLANG_VERSIONS.map((v) => ["sglang", v] as const),
    ...VLLM_VERSIONS.map((v) => ["vllm", v] as const),
  ];
  it.each(cases)("%s %s: engine and router commands", (kind, version) => {
    const variants: [Deployment, number | undefined][] = [
      [full(kind, version), undefined], [full(kind, version, { weights: "bf16", kvDtype: "bf16", kvCache: {} }), undefined],
      [full(kind, version, { router: { policy: "power_of_two" } }), 60_500],
    ];
    for (const [d, longestRequestTokens] of variants) {
      const plan = buildDeployPlan(d, TEST_PRICES, { longestRequestTokens });
      for (const c of plan.replicas) {
        const issues = flagIssues(kind, version, plainArgs(c));
        expect(issues, `${kind} ${version}: ${issues.join("; ")}`).toEqual([]);
      }
      expect(plan.router).toBeDefined();
      const r = flagIssues("sglangRouter", plan.routerRelease!, plainArgs(plan.router!));
      expect(r, `router ${plan.routerRelease}: ${r.join("; ")}`).toEqual([]);
    }
  });

  it("names the upstream definition of a flag (file, function, line, tag)", () => {
    expect(flagSource("sglang", "0.5.9", "--tp-size")).toBe("sgl-project/sglang python/sglang/srt/server_args.py ServerArgs.add_cli_args L3301 @v0.5.9");
    expect(flagSource("vllm", "0.12.0", "--max-num-seqs")).toBe("vllm-project/vllm vllm/engine/arg_utils.py EngineArgs.add_cli_args L1037 @v0.12.0");
    expect(flagSource("vllm", "0.12.0", "--port")).toMatch(/vllm\/entrypoints\/openai\/cli_args\.py FrontendArgs \(field port\) L78/);
  });

  it("the check catches what releases do not define", () => {
    // `--tp` is not an SGLang flag (only argparse prefix abbreviation accepts it).
    expect(flagIssues("sglang", "0.5.9", ["--tp", "2"])).toEqual(["--tp: not in the sglang flag list"]);
    expect(flagIssues("sglang", "0.5.1", ["--radix-eviction-policy", "lru"])).toEqual(["--radix-eviction-policy: not defined by sglang 0.5.1"]);
    // 0.5.1.post1 was not read: a flag counts only if both neighbouring read releases define it.
    expect(flagIssues("sglang", "0.5.1.post1", ["--hicache-storage-backend-extra-config", "{}"])).toEqual(["--hicache-storage-backend-extra-config: not defined by sglang 0.5.1"]);
    expect(flagIssues("sglangRouter", "0.3.2", ["--policy", "bucket"])[0]).toMatch(/--policy bucket: sglangRouter 0.3.2 accepts random, round_robin, cache_aware, power_of_two, manual/);
    expect(flagIssues("sglangRouter", "0.1.9", ["--eviction-interval-secs", "120"])).toEqual(["--eviction-interval-secs: not defined by sglangRouter 0.1.9"]);
    expect(flagIssues("vllm", "0.12.0", ["--no-max-num-seqs"])).toEqual(["--no-max-num-seqs: vllm has no negated form of --max-num-seqs"]);
  });
});

describe("SGLang launch_server", () => {
  const plan = buildDeployPlan(full("sglang", "0.5.9"), TEST_PRICES);
  const args = plainArgs(plan.replicas[0]);

  it("carries TP, quantization, KV dtype, limits, memory fraction and HiCache tiers", () => {
    expect(plan.replicas[0].program).toEqual(["python", "-m", "sglang.launch_server"]);
    expect(valueOf(args, "--model-path")).toBe("Qwen/Qwen3-32B");
    expect(valueOf(args, "--tp-size")).toBe("2");
    expect(valueOf(args, "--quantization")).toBe("fp8");
    expect(valueOf(args, "--kv-cache-dtype")).toBe("fp8_e4m3");
    expect(valueOf(args, "--max-running-requests")).toBe("96");
    expect(valueOf(args, "--chunked-prefill-size")).toBe("4096");
    expect(valueOf(args, "--max-prefill-tokens")).toBe("8192");
    expect(valueOf(args, "--mem-fraction-static")).toBe("0.85");
    expect(valueOf(args, "--page-size")).toBe("64");
    expect(valueOf(args, "--schedule-policy")).toBe("lpm");
    expect(args).toContain("--enable-hierarchical-cache");
    expect(valueOf(args, "--hicache-size")).toBe("128"); // 256 GB per replica / 2 TP ranks
    expect(valueOf(args, "--hicache-write-policy")).toBe("write_through_selective");
    expect(valueOf(args, "--radix-eviction-policy")).toBe("lfu");
    expect(valueOf(args, "--hicache-storage-backend")).toBe("mooncake");
    expect(valueOf(args, "--hicache-storage-prefetch-policy")).toBe("timeout");
    expect(JSON.parse(valueOf(args, "--hicache-storage-backend-extra-config")!)).toEqual({
      prefetch_threshold: 128, prefetch_timeout_base: 2, prefetch_timeout_per_ki_token: 0.1,
    });
  });

  it("0.5.1 gets neither --radix-eviction-policy nor the extra config, and says why", () => {
    const p = buildDeployPlan(full("sglang", "0.5.1"), TEST_PRICES);
    const a = plainArgs(p.replicas[0]);
    expect(a).not.toContain("--radix-eviction-policy");
    expect(a).not.toContain("--hicache-storage-backend-extra-config");
    expect(p.notes.join("\n")).toMatch(/evicts LRU only/);
    expect(p.notes.join("\n")).toMatch(/3 s timeout are fixed/);
  });

  it("places 6 replicas of TP 2 on 8-GPU nodes: 4 per node, ports from 30000", () => {
    expect(plan.nodes).toBe(2);
    expect(plan.slots[5]).toEqual({ index: 5, node: 1, host: "node-1", gpus: [2, 3], port: 30001 });
    expect(plan.replicas[5].env).toEqual([["CUDA_VISIBLE_DEVICES", "2,3"]]);
    expect(valueOf(plainArgs(plan.replicas[5]), "--port")).toBe("30001");
  });

  it("the router lists every replica and the cache_aware parameters the simulation used", () => {
    const r = plainArgs(plan.router!);
    expect(plan.router!.program).toEqual(["python", "-m", "sglang_router.launch_router"]);
    expect(plan.routerRelease).toBe("0.3.2");
    expect(r.slice(0, 7)).toEqual(["--worker-urls", "http://node-0:30000", "http://node-0:30001", "http://node-0:30002", "http://node-0:30003", "http://node-1:30000", "http://node-1:30001"]);
    expect(valueOf(r, "--policy")).toBe("cache_aware");
    expect(valueOf(r, "--cache-threshold")).toBe("0.3");
    expect(valueOf(r, "--eviction-interval-secs")).toBe("120");
    // sglang-router 0.1.9 (paired with SGLang 0.5.1) spells it --eviction-interval.
    const old = plainArgs(buildDeployPlan(full("sglang", "0.5.1"), TEST_PRICES).router!);
    expect(valueOf(old, "--eviction-interval")).toBe("120");
    expect(old).not.toContain("--eviction-interval-secs");
  });

  it("int4 weights ask for a pre-quantized checkpoint instead of running bf16", () => {
    const p = buildDeployPlan(full("sglang", "0.5.9", { weights: "int4" }), TEST_PRICES);
    expect(shellText(p.replicas[0])).toContain('--model-path "${INT4_CHECKPOINT:?set INT4_CHECKPOINT to an AWQ or GPTQ int4 checkpoint of Qwen/Qwen3-32B}"');
    expect(plainArgs(p.replicas[0])).not.toContain("--quantization");
  });
});

describe("vllm serve", () => {
  it("carries TP, quantization, KV dtype, limits, memory fraction and the CPU offload tier (0.12.0)", () => {
    const plan = buildDeployPlan(full("vllm", "0.12.0"), TEST_PRICES);
    const c = plan.replicas[0];
    const args = plainArgs(c);
    expect(c.program).toEqual(["vllm", "serve", "Qwen/Qwen3-32B"]);
    expect(valueOf(args, "--tensor-parallel-size")).toBe("2");
    expect(valueOf(args, "--quantization")).toBe("fp8");
    expect(valueOf(args, "--kv-cache-dtype")).toBe("fp8");
    expect(valueOf(args, "--max-num-seqs")).toBe("96");
    expect(valueOf(args, "--max-num-batched-tokens")).toBe("4096");
    expect(valueOf(args, "--gpu-memory-utilization")).toBe("0.85");
    expect(valueOf(args, "--block-size")).toBe("16");
    expect(args).toContain("--no-enable-prefix-caching");
    // Qwen3-32B fp8 KV: 64 layers x 8 KV heads x 128 dims x (K+V) x 1 byte = 131,072 bytes per token;
    // 256 GB / (16 tokens x 131,072 bytes) = 122,070 blocks.
    expect(JSON.parse(valueOf(args, "--kv-transfer-config")!)).toEqual({
      kv_connector: "OffloadingConnector", kv_role: "kv_both", kv_connector_extra_config: { num_cpu_blocks: 122070 },
    });
    expect(valueOf(args, "--port")).toBe("8000");
    expect(plan.notes.join("\n")).toMatch(/no HiCache-style storage tier/);
  });

  it("0.10 has no native offloading: LMCache's connector and its size per TP worker", () => {
    const plan = buildDeployPlan(full("vllm", "0.10.2"), TEST_PRICES);
    expect(JSON.parse(valueOf(plainArgs(plan.replicas[0]), "--kv-transfer-config")!)).toEqual({ kv_connector: "LMCacheConnectorV1", kv_role: "kv_both" });
    expect(plan.replicas[0].env).toContainEqual(["LMCACHE_MAX_LOCAL_CPU_SIZE", "128"]);
  });
});

describe("Qwen3 beyond its native context (YaRN, as the Qwen3 model cards document)", () => {
  const YARN = '{"rope_scaling":{"rope_type":"yarn","factor":4.0,"original_max_position_embeddings":32768}}';
  /** The plan for Qwen3-32B and a closed-loop workload of fixed prompt and answer lengths. */
  async function planFor(kind: "sglang" | "vllm", version: string, promptTokens: number, answerTokens = 500) {
    const w = validateSchema<WorkloadSpec>("workload", { kind: "closed-loop", concurrency: 2, requests: 4, inputTokens: { fixed: promptTokens }, outputTokens: { fixed: answerTokens } });
    const table = await buildRequestTable(w, ".", 1);
    const longestRequestTokens = longestRequestTokens_({ tables: [{ seeds: [1], table }] });
    return buildDeployPlan(full(kind, version as never, { replicas: 1 }), TEST_PRICES, { longestRequestTokens });
  }

  it("SGLang: 60K-token prompts get the rope_scaling override, --context-length 131072 and the variable SGLang requires for it", async () => {
    const plan = await planFor("sglang", "0.5.9", 60_000);
    const args = plainArgs(plan.replicas[0]);
    expect(valueOf(args, "--json-model-override-args")).toBe(YARN);
    expect(valueOf(args, "--context-length")).toBe("131072");
    expect(plan.replicas[0].env).toContainEqual(["SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN", "1"]);
    expect(plan.notes.join("\n")).toMatch(/longest request \(60,500 tokens, prompt \+ answer\) exceeds qwen3-32b's native 40,960-token context/);
  });

  it("vLLM: 60K-token prompts get --hf-overrides with the rope_scaling and --max-model-len 131072", async () => {
    for (const version of ["0.10.0", "0.12.0"]) {
      const args = plainArgs((await planFor("vllm", version, 60_000)).replicas[0]);
      expect(valueOf(args, "--hf-overrides")).toBe(YARN);
      expect(valueOf(args, "--max-model-len")).toBe("131072");
    }
  });

  it("4K-token prompts, and requests of exactly the native 40,960 tokens, get none of it", async () => {
    for (const [kind, version] of [["sglang", "0.5.9"], ["vllm", "0.12.0"]] as const) {
      for (const [prompt, answer] of [[4_000, 500], [40_460, 500]]) {
        const plan = await planFor(kind, version, prompt, answer);
        const args = plainArgs(plan.replicas[0]);
        for (const f of ["--json-model-override-args", "--context-length", "--hf-overrides", "--max-model-len"]) expect(args).not.toContain(f);
        expect(plan.replicas[0].env.map(([k]) => k)).not.toContain("SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN");
      }
    }
    // One token more than the native context is enough.
    expect(plainArgs((await planFor("sglang", "0.5.9", 40_461, 500)).replicas[0])).toContain("--context-length");
  });

  it("a model served natively at that length (Llama-3.1-8B, 131,072) gets no rope flags", () => {
    const plan = buildDeployPlan(full("sglang", "0.5.9", { model: "llama-3.1-8b", replicas: 1 }), TEST_PRICES, { longestRequestTokens: 100_000 });
    expect(plainArgs(plan.replicas[0])).not.toContain("--json-model-override-args");
  });
});

describe("router policies that no release accepts", () => {
  it("bucket is written for the SGLang source tree's router and flagged as unreleased", () => {
    const plan = buildDeployPlan(full("sglang", "0.5.9", { router: { policy: "bucket" } }), TEST_PRICES);
    expect(plan.routerReleased).toBe(false);
    expect(plan.routerRelease).toBe("tree-v0.5.18");
    const r = plainArgs(plan.router!);
    expect(valueOf(r, "--policy")).toBe("bucket");
    expect(valueOf(r, "--bucket-adjust-interval-secs")).toBe("5");
    expect(flagIssues("sglangRouter", "0.3.2", r)).not.toEqual([]);
    expect(plan.notes.join("\n")).toMatch(/not accepted by any released sglang-router/);
  });

  it("least_load gets no router command, with the reason", () => {
    const plan = buildDeployPlan(full("sglang", "0.5.9", { router: { policy: "least_load" } }), TEST_PRICES);
    expect(plan.router).toBeUndefined();
    expect(plan.notes.join("\n")).toMatch(/least_load is not an sglang-router policy/);
  });
});

describe("placeReplicas", () => {
  it("never splits a TP group across nodes", () => {
    const s = placeReplicas(5, 4, 8, 30000);
    expect(s.map((x) => `${x.host}:${x.gpus.join("")}:${x.port}`)).toEqual(["node-0:0123:30000", "node-0:4567:30001", "node-1:0123:30000", "node-1:4567:30001", "node-2:0123:30000"]);
    expect(flagNames(["a", "--x", "1", "-q"])).toEqual(["--x", "-q"]);
  });
});
