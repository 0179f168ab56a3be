/** summary.md's trust sections: status, requests per verdict, confirmation, stage-1 drops. */
import { describe, expect, it } from "vitest";
import type { FrontierFile, ScreenedConfig, VerdictBasis } from "../../src/results/frontier-file.js";
import { confirmationSection, screenedSection, statusSection, verdictSection } from "../../src/report/summary-trust.js";
import { rankGpus } from "../../src/report/gpu-ranking.js";
import { sampleFile } from "./sample-file.js";
import { TARGETS, point } from "../search/make-points.js";

const verdicts: VerdictBasis[] = [
  { metric: "ttftMs", percentile: 99, requestsNeeded: 5000, workloadRequests: 6000, trialRequests: 5000, trialTailRequests: 50, confirmRequests: 6000, enough: true, tailTarget: 50 },
  { metric: "tpotMs", percentile: 99, requestsNeeded: 5000, workloadRequests: 1990, trialRequests: 1990, trialTailRequests: 19, confirmRequests: 1990, enough: false, tailTarget: 50 },
];

const screened: ScreenedConfig[] = [
  { gpu: "l40s", tp: 1, weights: "bf16", kvDtype: "bf16", engine: "sglang", reason: "memory", detail: "does not fit: weights 64 GB > 48 GB" },
  { gpu: "l40s", tp: 2, weights: "bf16", kvDtype: "bf16", engine: "sglang", reason: "decode-tpot", detail: "a decode step of 8 requests already takes 61.0 ms (TPOT target 50 ms)" },
  { gpu: "h100_sxm", tp: 8, weights: "bf16", kvDtype: "bf16", engine: "vllm", reason: "dominated", detail: "estimated $48.00/h" },
];

describe("summary.md trust sections", () => {
  it("a cut search says so first, with the reason", () => {
    const f: FrontierFile = { ...sampleFile(), status: "partial", statusReason: "the search was cut by --max-runs 3: 3 simulations ran" };
    expect(statusSection(f).join("\n")).toBe("## Partial answer: the search was cut\n\nthe search was cut by --max-runs 3: 3 simulations ran\n");
    expect(statusSection(sampleFile())).toEqual([]);
  });

  it("says how many requests each verdict used, and when the workload is too small", () => {
    const s = verdictSection({ ...sampleFile(), verdicts }).join("\n");
    expect(s).toContain("| TTFT | p99 | 5000 | 6000 | 5000 | 50 | 6000 | enough |");
    expect(s).toContain("| TPOT | p99 | 5000 | 1990 | 1990 | 19 | 1990 | workload too small: all 1990 used, the tail holds 19 |");
  });

  it("lists every confirmed or failed point with its seeds and capacity", () => {
    const ok = point("ok", { confirmation: { rateRps: 40, seeds: [{ seed: 1000004, sloMet: true, latency: { ttftMs: 900, tpotMs: 30 } }] }, capacityRps: 51.2 });
    const failed = point("bad", {
      sloMet: false, confirmedSeeds: [], capacityEstimated: true, capacityRps: 38,
      confirmation: { rateRps: 40, seeds: [{ seed: 1000004, sloMet: false, earlyStopped: true, latency: { ttftMs: 2100, tpotMs: 30 } }] },
    });
    const f = { ...sampleFile([ok, failed]), confirmSeeds: [1000004] };
    const s = confirmationSection(f, TARGETS).join("\n");
    expect(s).toContain("1000004: met (900/30.0)");
    expect(s).toContain("| confirmed |");
    expect(s).toContain("1000004: missed (≥2100/30.0)");
    expect(s).toContain("| failed |");
    expect(s).toContain("| 51.2 |");
    expect(s).toContain("| 38.0 (estimate) |");
  });

  it("lists stage-1 drops grouped by reason", () => {
    const s = screenedSection(screened).join("\n");
    expect(s).toContain("3 configurations were not simulated: 1 does not fit in memory; 1 decode step too slow for the TPOT target; 1 dominated");
    expect(s).toContain("| l40s | 2 | bf16/bf16 | sglang | decode-tpot | a decode step of 8 requests already takes 61.0 ms (TPOT target 50 ms) |");
  });

  it("a GPU screened out entirely says why in the ranking", () => {
    const r = rankGpus([point("h", { deployment: { gpu: "h100_sxm" } })], ["l40s"], screened).find((x) => x.gpu === "l40s")!;
    expect(r.best).toBeNull();
    expect(r.reason).toBe("screened out in stage 1 (memory x1, decode-step TPOT x1), e.g. tp1 bf16: does not fit: weights 64 GB > 48 GB");
  });
});
