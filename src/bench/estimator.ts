/**
 * Estimator bench: calls per second of the memoized `stepUs` on a realistic mix of decode and
 * prefill batches, of a cold (unmemoized) `estimate`, the construction cost of an estimator, and the
 * accuracy on measured rows held out of the bundled tables (test/fixtures/kernels, when present).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { resolveGpu, resolveModel } from "../catalog/index.js";
import { loadKernelProfiles, loadRooflineFits } from "../catalog/profiles.js";
import { readKernelCsv } from "../io/kernel-csv.js";
import { validateEstimatorTable } from "../runner/validate-estimator.js";
import { createEstimator } from "../sim/estimator/estimator.js";
import { newBatchSummary, type BatchEntry, type BatchSummary } from "../sim/estimator/types.js";
import { rngStream } from "../sim/rng.js";
import type { BenchFigure, BenchSection } from "./figure.js";

/** A pool of batches like a chunked-prefill SGLang replica sees: mostly decode, some prefill chunks. */
function batchMix(n: number): { summaries: BatchSummary[]; entries: BatchEntry[][] } {
  const rng = rngStream(1, "bench estimator batches");
  const summaries: BatchSummary[] = [];
  const entries: BatchEntry[][] = [];
  for (let i = 0; i < n; i++) {
    const s = newBatchSummary(4);
    const list: BatchEntry[] = [];
    s.decodeCount = 1 + rng.int(128);
    for (let d = 0; d < s.decodeCount; d++) {
      const ctx = 200 + rng.int(8000);
      s.decodeContextSum += ctx;
      list.push({ cacheLen: ctx, inputLen: 1 });
    }
    if (rng.next() < 0.2) {
      const chunk = 64 + rng.int(8128);
      const cached = rng.next() < 0.5 ? rng.int(16000) : 0;
      s.prefillNew[0] = chunk;
      s.prefillCached[0] = cached;
      s.prefillCount = 1;
      list.push({ cacheLen: cached, inputLen: chunk });
    }
    summaries.push(s);
    entries.push(list);
  }
  return { summaries, entries };
}

function callsPerSecond(fn: (i: number) => number, minMs: number): number {
  let calls = 0;
  let sink = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    for (let i = 0; i < 1000; i++) sink += fn(calls + i);
    calls += 1000;
    t = performance.now();
  }
  if (!Number.isFinite(sink)) throw new Error("non-finite estimate");
  return (calls / (t - t0)) * 1000;
}

const section: BenchSection = {
  title: "Batch latency estimator",
  run: async () => {
    const figures: BenchFigure[] = [];
    const fits = loadRooflineFits();
    const t0 = performance.now();
    const est = createEstimator({
      model: resolveModel("qwen3-32b"), gpu: resolveGpu("h100_sxm"), tp: 2, weights: "bf16", kvDtype: "bf16",
      engine: "sglang", backend: "auto", profiles: loadKernelProfiles("h100_sxm"), fits,
    });
    figures.push({ name: "estimator construction, first (loads and grids the tables)", value: performance.now() - t0, unit: "ms" });
    const t1 = performance.now();
    for (const tp of [1, 4, 8]) {
      createEstimator({
        model: resolveModel("llama-3.1-70b"), gpu: resolveGpu("h100_sxm"), tp, weights: "fp8", kvDtype: "fp8",
        engine: "sglang", backend: "auto", profiles: loadKernelProfiles("h100_sxm"), fits,
      });
    }
    figures.push({ name: "estimator construction, later (tables shared)", value: (performance.now() - t1) / 3, unit: "ms" });

    const { summaries, entries } = batchMix(4096);
    for (const s of summaries) est.stepUs(s); // warm the memo
    const memo = callsPerSecond((i) => est.stepUs(summaries[i & 4095]), 500);
    figures.push({ name: "stepUs calls/s (memoized; 80% decode, 20% with a prefill chunk)", value: memo, unit: "calls/s", target: ">= 1,000,000", ok: memo >= 1e6 });
    const cold = callsPerSecond((i) => est.estimate(entries[i & 4095]).latencyMs, 500);
    figures.push({ name: "estimate calls/s (unmemoized, with breakdown)", value: cold, unit: "calls/s" });

    // Accuracy on measured rows dropped from the bundle (fixtures are copies of such rows).
    const dir = resolve(process.cwd(), "test/fixtures/kernels");
    if (existsSync(dir)) {
      for (const gpu of ["h100_sxm", "a100_sxm"]) {
        for (const table of ["gemm_perf", "context_attention_perf", "generation_attention_perf"]) {
          const t = readKernelCsv(`${dir}/${gpu}/${table}_heldout.csv`);
          const v = validateEstimatorTable(t, gpu, "auto");
          figures.push({ name: `held-out MAPE ${gpu} ${table} (table)`, value: v.mape * 100, unit: "%", target: "<= 5%", ok: v.mape <= 0.05 });
          const r = validateEstimatorTable(t, gpu, "roofline");
          const bf16 = r.byDtype.bfloat16 ?? r.byDtype["bfloat16/bfloat16"];
          figures.push({
            name: `no-table MAPE ${gpu} ${table} bf16 (roofline fit on the other GPU)`, value: bf16.mape * 100, unit: "%",
            target: "<= 10%", ok: bf16.mape <= 0.1,
          });
        }
      }
    }
    return figures;
  },
};

export default section;
