/**
 * Stage 3's KV tier options and the exhaustive grid stay within what the deployment's nodes hold:
 * an L3 on local NVMe never exceeds localNvmeGbPerGpu x tp x replicas (a shared pool), with the
 * limits computed here by hand from the catalog's per-GPU figures (AWS instance store / 8 GPUs).
 */
import { describe, expect, it } from "vitest";
import { listGpus } from "../../src/catalog/index.js";
import { localNvmeBoundGb, nodeBoundIssues } from "../../src/catalog/node-bounds.js";
import type { Deployment } from "../../src/config/types.js";
import { validateSchema } from "../../src/config/validate.js";
import { compileConstraints } from "../../src/search/constraints/compile.js";
import type { SearchContext } from "../../src/search/context.js";
import { exhaustiveGrid } from "../../src/search/exhaustive.js";
import type { PointBook } from "../../src/search/point-book.js";
import { walkDown } from "../../src/search/replica-search.js";
import type { TrialResult } from "../../src/runner/trial.js";
import { resolveSpace } from "../../src/search/space.js";
import { l3Options } from "../../src/search/tier-options.js";
import { TEST_PRICES } from "../helpers/prices.js";

const dep = (d: object) => validateSchema<Deployment>("deployment", d);

describe("local NVMe per GPU in the catalog", () => {
  it("is the reference AWS instance's instance store / 8 GPUs, with a source", () => {
    const byId = Object.fromEntries(listGpus().map((g) => [g.id, g.localNvmeGbPerGpu]));
    // p5 / p5en / p6-b200: 30,400 GB; p4de: 8,000 GB; g6e.48xlarge: 7,600 GB (EC2 TotalSizeInGB).
    expect(byId).toMatchObject({ h100_sxm: 3800, h200_sxm: 3800, b200: 3800, a100_sxm: 1000, l40s: 950 });
    for (const g of listGpus()) expect(g.localNvmeSource.length).toBeGreaterThan(20);
  });

  it("bounds a shared pool by every replica's drives and a per-replica L3 by its own", () => {
    const h100 = listGpus().find((g) => g.id === "h100_sxm")!;
    expect(localNvmeBoundGb(h100, 2, 3, true)).toBe(22_800); // 3,800 x 2 x 3
    expect(localNvmeBoundGb(h100, 2, 3, false)).toBe(7_600); // 3,800 x 2
    const l3 = (capacityGb: number, media = "nvme", shared = true) =>
      nodeBoundIssues(dep({ model: "llama-3.1-8b", gpu: "h100_sxm", tp: 2, replicas: 3, kvCache: { l2: { capacityGb: 100 }, l3: { media, capacityGb, shared } } }), h100);
    expect(l3(22_800)).toEqual([]);
    expect(l3(22_801)).toEqual([{ path: "/kvCache/l3/capacityGb", message: expect.stringMatching(/expected at most 22800 GB, more replicas, or a remote_pool L3/) }]);
    expect(l3(7_601, "file", false)).toEqual([{ path: "/kvCache/l3/capacityGb", message: expect.stringMatching(/expected at most 7600 GB, or a remote_pool L3/) }]);
    expect(l3(1_000_000, "remote_pool")).toEqual([]);
  });
});

/**
 * A context for l3Options: a hit curve rising linearly to 0.5 at 40M tokens (knees at 32M and
 * 38M tokens), Qwen3-32B bf16 at tp=1 (64 layers x 8 KV heads x 128 x 2 x 2 B = 262,144 B/token).
 */
function tierCtx(l3CapacityGb: number[]): SearchContext {
  const sat = 40e6;
  const reuse = {
    blockSize: 16,
    saturationTokens: sat,
    point: (c: number) => ({ capacityTokens: c, tokenHitRate: c === 0 ? 0.5 : 0.5 * Math.min(1, c / sat), blockHitRate: 0 }),
  };
  return { profile: { reuse }, space: resolveSpace({ gpus: ["h100_sxm"], tp: [1], l3: { media: ["nvme"], capacityGb: l3CapacityGb } }) } as unknown as SearchContext;
}

describe("stage 3's L3 options", () => {
  const base = (replicas: number) => dep({ model: "qwen3-32b", gpu: "h100_sxm", tp: 1, replicas, kvCache: { l2: { capacityGb: 256 } } });

  it("offer NVMe sizes within the cluster's local NVMe, and all of it when a wanted size is larger", () => {
    // Wanted: the space's 2,048 and 8,192 GB and the 95% knee, 38M tokens x 262,144 B = 9,961 GB -> 10,000.
    // Two H100 replicas hold 3,800 x 2 = 7,600 GB of NVMe: 8,192 and 10,000 do not fit.
    const sizes = (replicas: number, media: string) => l3Options(tierCtx([2048, 8192]), base(replicas), 100_000, media).map((o) => o.capacityGb);
    expect(sizes(2, "nvme")).toEqual([2048, 7600]);
    expect(sizes(2, "remote_pool")).toEqual([2048, 8192, 10000]);
    // Three replicas: 11,400 GB, every wanted size fits.
    expect(sizes(3, "nvme")).toEqual([2048, 8192, 10000]);
  });
});

describe("the exhaustive grid", () => {
  it("holds no NVMe L3 larger than its replicas' local NVMe", () => {
    const space = resolveSpace({
      gpus: ["l40s"], tp: [1], maxRunningRequests: [16, 16], routerPolicies: ["round_robin"], maxReplicas: 2,
      l2CapacityGb: [64], l3: { media: ["nvme", "remote_pool"], capacityGb: [900, 1500] },
    });
    const ctx = { model: "llama-3.1-8b", space, prices: TEST_PRICES, constraints: compileConstraints([]) } as unknown as SearchContext;
    const l3s = exhaustiveGrid(ctx).filter((d) => d.kvCache.l3).map((d) => `${d.replicas} ${d.kvCache.l3!.media} ${d.kvCache.l3!.capacityGb}`);
    // One L40S replica has 950 GB of NVMe, two have 1,900 GB.
    expect(l3s.sort()).toEqual(["1 nvme 900", "1 remote_pool 1500", "1 remote_pool 900", "2 nvme 1500", "2 nvme 900", "2 remote_pool 1500", "2 remote_pool 900"]);
  });
});

describe("stage 3's walk down the replica count", () => {
  it("stops where a shared NVMe pool no longer fits the fewer replicas' drives", () => {
    const ctx = {
      constraints: compileConstraints([]), prices: TEST_PRICES, planRps: 10, seed: 1, targets: {},
      space: resolveSpace({ gpus: ["h100_sxm"], tp: [1], maxReplicas: 8 }),
      profile: { verdictRequests: 100, meanSessionSpanS: 0 }, rows: { specRequests: 100, tableRequests: 100 },
    } as unknown as SearchContext;
    // Every trial meets the SLO, so only the NVMe bound can stop the walk.
    const book = { add: (_s: number, d: Deployment) => ({ id: `${d.replicas}`, deployment: d, sloMet: true }) } as unknown as PointBook;
    const walk = (capacityGb: number) => {
      const d = dep({ model: "qwen3-32b", gpu: "h100_sxm", replicas: 4, kvCache: { l2: { capacityGb: 256 }, l3: { media: "nvme", capacityGb } } });
      const g = walkDown(ctx, book, 3, d, 4, 3);
      const asked: number[] = [];
      for (let s = g.next(); !s.done; s = g.next([{ sloMet: true } as unknown as TrialResult])) asked.push(s.value[0].deployment.replicas);
      return asked;
    };
    // 3,800 GB per H100: 11,000 GB fits 3 replicas (11,400) but not 2 (7,600); 7,000 GB fits 2.
    expect(walk(11_000)).toEqual([4, 3]);
    expect(walk(7_000)).toEqual([4, 3, 2]);
  });
});
