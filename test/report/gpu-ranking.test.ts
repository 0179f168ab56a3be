import { describe, expect, it } from "vitest";
import { rankGpus } from "../../src/report/gpu-ranking.js";
import { samplePoints } from "./sample-file.js";

describe("rankGpus", () => {
  it("ranks GPUs by their best USD per 1M tokens among SLO-meeting points, then the rest by name", () => {
    const r = rankGpus(samplePoints(), ["b200"]);
    expect(r.map((x) => [x.gpu, x.best?.id ?? null, x.met, x.evaluated])).toEqual([
      ["h200_sxm", "h200-tp2-x4", 1, 1],
      ["h100_sxm", "h100-tp2-x4", 3, 3],
      ["a100_sxm", null, 0, 1],
      ["b200", null, 0, 0],
      ["l40s", null, 0, 1],
    ]);
  });
});
