/**
 * Every catalog model and every catalog GPU still simulates end to end (engine defaults of the
 * newest release, front end, closed-loop client), with both engines: each model on the first
 * catalog GPU and TP where its weights leave a KV pool, each GPU with a small model.
 */
import { describe, expect, it } from "vitest";
import { listGpus, listModels } from "../../src/catalog/index.js";
import type { Deployment } from "../../src/config/types.js";
import { validateSchema } from "../../src/config/validate.js";
import { prepareDeployment, runSimulation } from "../../src/runner/prepare.js";
import { generateClosedLoop } from "../../src/sim/workload/closed-loop.js";
import { TEST_PRICES } from "../helpers/prices.js";

const workload = generateClosedLoop(
  { kind: "closed-loop", concurrency: 4, requests: 8, inputTokens: { fixed: 512 }, outputTokens: { fixed: 16 } }, 1,
);

function run(model: string, gpu: string, tp: number, kind: "sglang" | "vllm", weights: "bf16" | "fp8") {
  const d = validateSchema<Deployment>("deployment", { model, gpu, tp, weights, engine: { kind } });
  const dep = prepareDeployment(d, undefined, { allowNoFit: true, prices: TEST_PRICES });
  if (!dep.memory.fits) return undefined;
  return runSimulation(dep, workload, 1).summary;
}

describe("every catalog model and GPU simulates", () => {
  it.each(listModels().map((m) => [m.id]))("%s", (model) => {
    let done = false;
    for (const gpu of ["h200_sxm", "b200"]) {
      for (const tp of [1, 2, 4, 8]) {
        for (const weights of ["bf16", "fp8"] as const) {
          if (done) break;
          for (const kind of ["sglang", "vllm"] as const) {
            const s = run(model, gpu, tp, kind, weights);
            if (!s) continue;
            expect(s.completed).toBe(8);
            expect(s.ttftMs.mean).toBeGreaterThan(0);
            expect(s.tpotMs.mean).toBeGreaterThan(0);
            done = true;
          }
        }
      }
    }
    expect(done).toBe(true);
  });

  it.each(listGpus().map((g) => [g.id]))("%s", (gpu) => {
    for (const kind of ["sglang", "vllm"] as const) {
      const s = run("qwen3-8b", gpu, 1, kind, "bf16");
      expect(s?.completed).toBe(8);
      expect(Number.isFinite(s!.tpotMs.mean)).toBe(true);
    }
  });
});
