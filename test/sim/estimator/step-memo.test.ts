/**
 * `stepUs` memoizes (token-driven operators by token count, attention residual factors by batch and
 * quantized length): whatever was asked before, a batch must get the very same value, bit for bit,
 * or a simulation would depend on what the shared estimator computed for earlier ones.
 */
import { describe, expect, it } from "vitest";
import { resolveGpu, resolveModel } from "../../../src/catalog/index.js";
import { loadKernelProfiles, loadRooflineFits } from "../../../src/catalog/profiles.js";
import { createEstimator } from "../../../src/sim/estimator/estimator.js";
import { newBatchSummary } from "../../../src/sim/estimator/types.js";
import { rngStream } from "../../../src/sim/rng.js";

const est = () =>
  createEstimator({
    model: resolveModel("qwen3-32b"), gpu: resolveGpu("h100_sxm"), tp: 2, weights: "bf16", kvDtype: "bf16", engine: "sglang",
    profiles: loadKernelProfiles("h100_sxm"), fits: loadRooflineFits(),
  });

describe("stepUs memo", () => {
  it("gives every batch the same bits whatever was asked before", () => {
    const rng = rngStream(3, "step memo");
    // 12,000 decode batches (some with a prefill chunk), 3,000 of them asked again.
    const keys: [number, number, number][] = [];
    for (let i = 0; i < 12_000; i++) {
      const count = 1 + rng.int(256);
      const prefill = rng.int(8) === 0 ? 1 + rng.int(4000) : 0;
      keys.push([count, count * (100 + rng.int(6000)), prefill]);
    }
    for (let i = 0; i < 3000; i++) keys.push(keys[rng.int(keys.length)]);
    const s = newBatchSummary(4);
    const run = (e: ReturnType<typeof est>, order: number[]): Map<number, number> => {
      const out = new Map<number, number>();
      for (const k of order) {
        const [count, ctx, prefill] = keys[k];
        s.decodeCount = count;
        s.decodeContextSum = ctx;
        s.prefillCount = prefill > 0 ? 1 : 0;
        s.prefillNew[0] = prefill;
        s.prefillCached[0] = 0;
        const v = e.stepUs(s);
        const seen = out.get(k);
        if (seen !== undefined && seen !== v) throw new Error(`batch ${k} gave ${seen} then ${v}`);
        out.set(k, v);
      }
      return out;
    };
    const order = keys.map((_, i) => i);
    const forward = run(est(), order);
    const shuffled = order.slice();
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    const e2 = est();
    const other = run(e2, shuffled.concat(order.slice().reverse()));
    let differing = 0;
    for (const [k, v] of forward) if (other.get(k) !== v) differing++;
    expect(differing).toBe(0);
  });
});
