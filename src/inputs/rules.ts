/**
 * Semantic rules that run after the schema check: cross-field and catalog consistency.
 * Each returns the issues found (empty = fine); callers throw one InputError with all of them.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { resolveGpu, resolveKvMedia, resolveModel } from "../catalog/index.js";
import { InputError, type InputIssue } from "../errors.js";
import { SGLANG_VERSIONS, VLLM_VERSIONS } from "../config/schemas/deployment.schema.js";
import type { Deployment, LengthDist, SearchSpace, SloSpec, WorkloadSpec } from "../config/types.js";

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
  } else if (w.kind === "trace") {
    const p = resolve(dirname(file), w.path);
    if (!existsSync(p)) issues.push({ file, path: `${path}/path`, message: `trace file ${p} does not exist` });
  } else {
    issues.push(...lengthDistIssues(w.inputTokens, file, `${path}/inputTokens`));
    issues.push(...lengthDistIssues(w.outputTokens, file, `${path}/outputTokens`));
    if (w.concurrency > w.requests) {
      issues.push({ file, path: `${path}/concurrency`, message: `expected at most requests (${w.requests}), got ${w.concurrency}` });
    }
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

/** Rules for an SLO spec: its model, workload, targets and search space reference. */
export function sloSpecIssues(s: SloSpec, file: string): InputIssue[] {
  const issues: InputIssue[] = [];
  tryIssue(issues, () => void resolveModel(s.model, dirname(file), { file, path: "/model" }));
  issues.push(...workloadIssues(s.workload as WorkloadSpec, file, "/workload"));
  const t = s.targets;
  if (t.e2eMs && t.e2eMs.percentile >= t.ttftMs.percentile && t.e2eMs.max < t.ttftMs.max) {
    // e2e >= ttft for every request, so its higher-or-equal percentile can never be below ttft's.
    issues.push({ file, path: "/targets/e2eMs/max", message: `contradicts ttftMs: p${t.e2eMs.percentile} e2e <= ${t.e2eMs.max} ms is impossible when p${t.ttftMs.percentile} TTFT may be up to ${t.ttftMs.max} ms and e2e >= TTFT for every request; expected e2eMs.max >= ttftMs.max` });
  }
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
