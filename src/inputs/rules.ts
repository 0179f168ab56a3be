/**
 * Semantic rules that run after the schema check: cross-field and catalog consistency.
 * Each returns the issues found (empty = fine); callers throw one InputError with all of them.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { resolveGpu, resolveKvMedia, resolveModel } from "../catalog/index.js";
import { nodeBoundIssues } from "../catalog/node-bounds.js";
import { resolveEngineFromCatalog } from "../catalog/resolve-deployment.js";
import { InputError, type InputIssue } from "../errors.js";
import { SGLANG_VERSIONS, VLLM_VERSIONS } from "../config/schemas/deployment.schema.js";
import type { Deployment, LengthDist, ModelSpec, SearchSpace, SloSpec, WorkloadSpec } from "../config/types.js";
import { contextIssues, tableSizeIssues } from "./workload-limits.js";

function tryIssue(issues: InputIssue[], fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) issues.push(...e.issues);
    else throw e;
  }
}

/** Rules for a length distribution at `path` (exactly one shape; sane bounds; files exist). */
export function lengthDistIssues(d: LengthDist, file: string, path: string): InputIssue[] {
  const issues: InputIssue[] = [];
  const shapes = (["fixed", "uniform", "lognormal", "empirical"] as const).filter((k) => d[k] !== undefined);
  if (shapes.length !== 1) {
    issues.push({ file, path, message: `expected exactly one of fixed, uniform, lognormal, empirical (found ${shapes.length === 0 ? "none" : shapes.join(", ")})` });
  }
  if (d.uniform && d.uniform[0] > d.uniform[1]) {
    issues.push({ file, path: `${path}/uniform`, message: `expected [lo, hi] with lo <= hi, got [${d.uniform.join(", ")}]` });
  }
  if (d.max !== undefined && d.fixed !== undefined && d.fixed > d.max) {
    issues.push({ file, path: `${path}/max`, message: `max ${d.max} is below the fixed length ${d.fixed}` });
  }
  if (d.max !== undefined && d.uniform && d.uniform[0] > d.max) {
    issues.push({ file, path: `${path}/max`, message: `max ${d.max} is below the whole range [${d.uniform.join(", ")}]: every length would be ${d.max}; expected max >= ${d.uniform[0]}` });
  }
  if (d.max !== undefined && d.lognormal && d.max < d.lognormal.mean) {
    // Clipping at a max below the mean turns the distribution into (mostly) the constant max.
    issues.push({ file, path: `${path}/max`, message: `max ${d.max} is below the lognormal's mean ${d.lognormal.mean}: most lengths would be clipped to ${d.max}; expected max >= mean` });
  }
  if (d.empirical !== undefined) {
    const p = resolve(dirname(file), d.empirical);
    if (!existsSync(p)) issues.push({ file, path: `${path}/empirical`, message: `trace file ${p} does not exist` });
  }
  return issues;
}

/** Rules for a workload spec found in `file` at JSON path `path`. */
export function workloadIssues(w: WorkloadSpec, file: string, path = ""): InputIssue[] {
  const issues: InputIssue[] = [];
  if (w.kind === "synthetic") {
    if (w.arrival.process === "gamma" && w.arrival.cv === undefined) {
      issues.push({ file, path: `${path}/arrival/cv`, message: "is required for a gamma arrival process" });
    }
    issues.push(...lengthDistIssues(w.inputTokens, file, `${path}/inputTokens`));
    issues.push(...lengthDistIssues(w.outputTokens, file, `${path}/outputTokens`));
    const p = w.prefix;
    if (p && (p.systemPromptTokens ?? 0) > 0 && p.systemPrompts === undefined) {
      issues.push({ file, path: `${path}/prefix/systemPrompts`, message: "is required when systemPromptTokens > 0" });
    }
    issues.push(...tableSizeIssues(w, file, path));
  } else if (w.kind === "trace") {
    const p = resolve(dirname(file), w.path);
    if (!existsSync(p)) issues.push({ file, path: `${path}/path`, message: `trace file ${p} does not exist` });
  } else {
    issues.push(...lengthDistIssues(w.inputTokens, file, `${path}/inputTokens`));
    issues.push(...lengthDistIssues(w.outputTokens, file, `${path}/outputTokens`));
    if (w.concurrency > w.requests) {
      issues.push({ file, path: `${path}/concurrency`, message: `expected at most requests (${w.requests}), got ${w.concurrency}` });
    }
    issues.push(...tableSizeIssues(w, file, path));
  }
  return issues;
}

/** Rules for a deployment: catalog ids, TP shape, engine/policy combinations, tier media. */
export function deploymentIssues(d: Deployment, file: string, path = ""): InputIssue[] {
  const issues: InputIssue[] = [];
  tryIssue(issues, () => {
    const model = resolveModel(d.model, dirname(file), { file, path: `${path}/model` });
    if (model.numAttentionHeads % d.tp !== 0) {
      issues.push({ file, path: `${path}/tp`, message: `tp=${d.tp} does not divide the ${model.numAttentionHeads} attention heads of ${model.id}` });
    }
  });
  tryIssue(issues, () => {
    const gpu = resolveGpu(d.gpu, { file, path: `${path}/gpu` });
    if (d.tp > gpu.gpusPerNode) {
      issues.push({ file, path: `${path}/tp`, message: `tp=${d.tp} spans more than one ${gpu.id} node (${gpu.gpusPerNode} GPUs); expected tp <= ${gpu.gpusPerNode}` });
    }
    if (d.weights === "fp8" && gpu.fp8Tflops === null) {
      // Allowed: engines run fp8 checkpoints weight-only (Marlin) on GPUs without fp8 tensor cores.
    }
    // L2 within the replica's host memory, a node-local L3 within the GPUs' local NVMe.
    for (const b of nodeBoundIssues(d, gpu)) issues.push({ file, path: `${path}${b.path}`, message: b.message });
  });
  const version = d.engine.version;
  const known: readonly string[] = d.engine.kind === "vllm" ? VLLM_VERSIONS : SGLANG_VERSIONS;
  if (version !== undefined && !known.includes(version)) {
    issues.push({
      file, path: `${path}/engine/version`,
      message: `"${version}" is not a ${d.engine.kind === "vllm" ? "vLLM" : "SGLang"} release the simulator models; expected one of ${known.map((v) => `"${v}"`).join(", ")}`,
    });
  }
  if (d.engine.kind === "vllm" && d.engine.schedulePolicy === "lpm") {
    issues.push({ file, path: `${path}/engine/schedulePolicy`, message: 'vLLM has no "lpm" policy; expected "fcfs"' });
  }
  if (d.engine.maxPrefillTokens !== undefined && d.engine.chunkedPrefillSize !== undefined && d.engine.kind === "sglang" &&
      d.engine.maxPrefillTokens < d.engine.chunkedPrefillSize) {
    issues.push({ file, path: `${path}/engine/maxPrefillTokens`, message: `expected >= chunkedPrefillSize (${d.engine.chunkedPrefillSize})` });
  }
  // Needs the model and GPU resolved; their own issues come first.
  if (issues.length === 0) tryIssue(issues, () => issues.push(...engineIssues(d, file, path)));
  const kv = d.kvCache;
  if (kv.l2) {
    tryIssue(issues, () => {
      const m = resolveKvMedia(kv.l2!.media, { file, path: `${path}/kvCache/l2/media` });
      if (m.tier !== "l2") issues.push({ file, path: `${path}/kvCache/l2/media`, message: `"${m.id}" is an ${m.tier.toUpperCase()} medium; expected an L2 (host memory) medium` });
    });
  }
  if (kv.l3) {
    if (!kv.l2) issues.push({ file, path: `${path}/kvCache/l3`, message: "an L3 tier needs an L2 tier (HiCache stages storage through host memory)" });
    tryIssue(issues, () => {
      const m = resolveKvMedia(kv.l3!.media, { file, path: `${path}/kvCache/l3/media` });
      if (m.tier !== "l3") issues.push({ file, path: `${path}/kvCache/l3/media`, message: `"${m.id}" is an ${m.tier.toUpperCase()} medium; expected an L3 (storage) medium` });
    });
  }
  return issues;
}

/**
 * Engine settings against the values the engine derives (chunk size by GPU memory): SGLang asserts
 * `chunked_prefill_size % page_size == 0` (server_args `check_server_args`), and a chunk smaller
 * than a page could never prefill a token, so every request would wait forever.
 */
function engineIssues(d: Deployment, file: string, path: string): InputIssue[] {
  const e = resolveEngineFromCatalog(d, dirname(file), { file, path });
  const given = (k: "pageSize" | "chunkedPrefillSize") => (d.engine[k] !== undefined ? "" : " (the engine's default on this GPU)");
  if (e.chunkedPrefillSize < e.pageSize || (e.kind === "sglang" && e.chunkedPrefillSize % e.pageSize !== 0)) {
    return [{
      file,
      path: `${path}/engine/pageSize`,
      message: (e.chunkedPrefillSize < e.pageSize
        ? `pageSize ${e.pageSize} is larger than chunkedPrefillSize ${e.chunkedPrefillSize}${given("chunkedPrefillSize")}: no prefill chunk could hold one page, so no request would ever be served`
        : `pageSize ${e.pageSize} does not divide chunkedPrefillSize ${e.chunkedPrefillSize}${given("chunkedPrefillSize")}: SGLang refuses it (chunked_prefill_size must be divisible by page_size)`) +
        `; expected a pageSize that divides ${e.chunkedPrefillSize}`,
    }];
  }
  return [];
}

/**
 * Rules for an SLO spec: its model, workload, targets and search space reference. Latency targets
 * are upper bounds, so they can never contradict each other (a p50 e2e target below the p50 TTFT
 * target merely makes the TTFT target redundant).
 */
export function sloSpecIssues(s: SloSpec, file: string): InputIssue[] {
  const issues: InputIssue[] = [];
  let model: ModelSpec | undefined;
  tryIssue(issues, () => void (model = resolveModel(s.model, dirname(file), { file, path: "/model" })));
  const w = s.workload as WorkloadSpec;
  const wIssues = workloadIssues(w, file, "/workload");
  issues.push(...wIssues);
  if (model && wIssues.length === 0) issues.push(...contextIssues(w, model, file, "/workload"));
  if (s.searchSpace !== undefined) {
    const p = resolve(dirname(file), s.searchSpace);
    if (!existsSync(p)) issues.push({ file, path: "/searchSpace", message: `search space ${p} does not exist` });
  }
  return issues;
}

/** Rules for a search space that need only the catalog (constraint checks live with the search). */
export function searchSpaceIssues(s: SearchSpace, file: string): InputIssue[] {
  const issues: InputIssue[] = [];
  s.gpus.forEach((g, i) => tryIssue(issues, () => void resolveGpu(g, { file, path: `/gpus/${i}` })));
  s.l3?.media?.forEach((m, i) =>
    tryIssue(issues, () => {
      const media = resolveKvMedia(m, { file, path: `/l3/media/${i}` });
      if (media.tier !== "l3") issues.push({ file, path: `/l3/media/${i}`, message: `"${m}" is not an L3 medium` });
    }),
  );
  if (s.maxRunningRequests && s.maxRunningRequests[0] > s.maxRunningRequests[1]) {
    issues.push({ file, path: "/maxRunningRequests", message: `expected [lo, hi] with lo <= hi, got [${s.maxRunningRequests.join(", ")}]` });
  }
  return issues;
}
