/** A small hand-built frontier file for the report tests (not a test file). */
import { buildFrontierFile } from "../../src/results/frontier-file.js";
import type { FrontierFile } from "../../src/results/frontier-file.js";
import type { Point } from "../../src/results/point.js";
import { LATENCY_CDF_PROBS } from "../../src/results/point.js";
import { TARGETS, point } from "../search/make-points.js";

const cdf = (ttftMax: number, tpotMax: number) => ({
  ttftMs: LATENCY_CDF_PROBS.map((p) => ttftMax * p),
  tpotMs: LATENCY_CDF_PROBS.map((p) => tpotMax * p),
});

export function samplePoints(): Point[] {
  return [
    // h100: 4 x tp2 = 8 GPUs at $2.99 = $23.92/h
    point("h100-tp2-x4", {
      costUsdPerHour: 23.92, usdPerMillionTokens: 0.83, capacityRps: 52, latency: { ttftMs: 1234, tpotMs: 42 },
      deployment: { gpu: "h100_sxm", tp: 2, replicas: 4, kvCache: { l2: { capacityGb: 256, media: "host_dram" } } }, cdf: cdf(1500, 45),
    }),
    point("h100-tp2-x5", {
      costUsdPerHour: 29.9, usdPerMillionTokens: 0.9, capacityRps: 66, latency: { ttftMs: 900, tpotMs: 35 },
      deployment: { gpu: "h100_sxm", tp: 2, replicas: 5 }, cdf: cdf(1100, 38),
    }),
    // Dominated by h100-tp2-x5: costs more, slower, less capacity.
    point("h100-tp4-x3", {
      costUsdPerHour: 35.88, usdPerMillionTokens: 1.1, capacityRps: 60, latency: { ttftMs: 1000, tpotMs: 40 },
      deployment: { gpu: "h100_sxm", tp: 4, replicas: 3 },
    }),
    // Cheapest per token but more per hour.
    point("h200-tp2-x4", {
      costUsdPerHour: 31.6, usdPerMillionTokens: 0.7, capacityRps: 90, latency: { ttftMs: 800, tpotMs: 30 },
      deployment: { gpu: "h200_sxm", tp: 2, replicas: 4, router: { policy: "power_of_two" } }, cdf: cdf(1000, 33),
    }),
    point("a100-tp4-x4", {
      costUsdPerHour: 28.64, usdPerMillionTokens: 1.4, capacityRps: 30, latency: { ttftMs: 2600, tpotMs: 48 }, sloMet: false,
      note: "p99 TTFT 2600 ms > 2000 ms, capacity 30 req/s < 40",
      deployment: { gpu: "a100_sxm", tp: 4, replicas: 4 },
    }),
    point("l40s-tp4-x2", {
      stage: 1, costUsdPerHour: 15, usdPerMillionTokens: 2, capacityRps: 5, latency: { ttftMs: 9000, tpotMs: 120 }, sloMet: false,
      deployment: { gpu: "l40s", tp: 4, replicas: 2 },
    }),
  ];
}

export function sampleFile(points: Point[] = samplePoints()): FrontierFile {
  return buildFrontierFile({
    runId: "20261123-101500-chat-qwen3-32b-a1b2c3",
    status: points.some((p) => p.sloMet) ? "ok" : "infeasible",
    runs: 312,
    wallS: 48.2,
    prices: "test-prices",
    demandRps: 40,
    headroom: 0,
    planRps: 40,
    seed: 1,
    confirmSeeds: [1000004, 2000007, 3000010],
    points,
    targets: TARGETS,
    hitCurve: [
      { capacityTokens: 0, tokenHitRate: 0.62, blockHitRate: 0.6 },
      { capacityTokens: 100_000, tokenHitRate: 0.2, blockHitRate: 0.18 },
      { capacityTokens: 1_000_000, tokenHitRate: 0.45, blockHitRate: 0.43 },
      { capacityTokens: 10_000_000, tokenHitRate: 0.6, blockHitRate: 0.58 },
    ],
  });
}

export function infeasibleFile(): FrontierFile {
  return sampleFile(samplePoints().map((p) => ({ ...p, sloMet: false })));
}
