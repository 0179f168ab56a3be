/** Test builders for deployments and points (not a test file). */
import type { Deployment } from "../../src/config/types.js";
import { sloPressure } from "../../src/results/pareto.js";
import type { Point, SloTargets } from "../../src/results/point.js";
import { rngStream } from "../../src/sim/rng.js";

export const TARGETS: SloTargets = {
  ttftMs: { percentile: 99, max: 2000 },
  tpotMs: { percentile: 99, max: 50 },
  minThroughputRps: 40,
};

type DeploymentOverrides = Partial<Omit<Deployment, "engine" | "router" | "kvCache">> & {
  engine?: Partial<Deployment["engine"]>;
  router?: Partial<Deployment["router"]>;
  kvCache?: Partial<Deployment["kvCache"]>;
};

/** A complete deployment (defaults applied, as after validation). */
export function deployment(o: DeploymentOverrides = {}): Deployment {
  const { engine, router, kvCache, ...rest } = o;
  return {
    model: "qwen3-32b",
    gpu: "h100_sxm",
    tp: 2,
    weights: "bf16",
    kvDtype: "bf16",
    replicas: 4,
    ...rest,
    engine: { kind: "sglang", maxRunningRequests: 128, chunkedPrefillSize: 8192, ...engine },
    router: { policy: "cache_aware", ...router },
    kvCache: {
      writePolicy: "write_through",
      prefetchPolicy: "best_effort",
      prefetchThresholdTokens: 256,
      prefetchTimeoutBaseS: 1,
      prefetchTimeoutPerKiTokenS: 0.25,
      evictionPolicy: "lru",
      ...kvCache,
    },
  };
}

type PointOverrides = Partial<Omit<Point, "latency" | "deployment">> & {
  latency?: Partial<Point["latency"]>;
  deployment?: DeploymentOverrides;
};

export function point(id: string, o: PointOverrides = {}): Point {
  const { latency, deployment: d, ...rest } = o;
  return {
    id,
    stage: 2,
    deployment: deployment(d),
    latency: { ttftMs: 1000, tpotMs: 25, ...latency },
    capacityRps: 50,
    capacityEstimated: false,
    costUsdPerHour: 24,
    usdPerMillionTokens: 0.5,
    prefixHitRate: 0.4,
    sloMet: true,
    confirmedSeeds: [1000004, 2000007, 3000010],
    ...rest,
  };
}

/**
 * Random points with objectives on a coarse grid, so ties and duplicates happen often.
 * `sloMet` is consistent with the targets (pressure <= 1 and capacity >= 40).
 */
export function randomPoints(seed: number, n: number): Point[] {
  const r = rngStream(seed, "test.points");
  const gpus = ["a100_sxm", "h100_sxm", "h200_sxm", "l40s"];
  return Array.from({ length: n }, (_, i) => {
    const p = point(`p${String(i).padStart(3, "0")}`, {
      stage: (1 + r.int(3)) as 1 | 2 | 3,
      deployment: { gpu: gpus[r.int(gpus.length)], tp: 2 ** r.int(4), replicas: 1 + r.int(8) },
      latency: { ttftMs: 200 * (1 + r.int(12)), tpotMs: 5 * (1 + r.int(12)) },
      capacityRps: 10 * (1 + r.int(10)),
      costUsdPerHour: 4 * (1 + r.int(10)),
      usdPerMillionTokens: 0.1 * (1 + r.int(10)),
      prefixHitRate: r.next(),
    });
    p.sloMet = sloPressure(p, TARGETS) <= 1 && p.capacityRps >= 40;
    return p;
  });
}

/** Fisher-Yates with a seeded stream. */
export function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const r = rngStream(seed, "test.shuffle");
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
