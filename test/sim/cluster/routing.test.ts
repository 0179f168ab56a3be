/**
 * Router policies inside the full cluster simulator, on hand-built tables with the linear estimator:
 * what each policy does to placement, hit rate and load, computed by hand where it can be.
 */
import { describe, expect, it } from "vitest";
import type { DeploymentInput, RouterPolicy } from "../../../src/config/types.js";
import { simulate, type SimulationInput } from "../../../src/sim/cluster/simulate.js";
import type { SimulationResult } from "../../../src/sim/cluster/summary.js";
import { rngStream } from "../../../src/sim/rng.js";
import { createRouter, resolveRouterConfig, ROUTER_POLICIES } from "../../../src/sim/router/create-router.js";
import type { RequestTable } from "../../../src/sim/workload/request-table.js";
import { deployment, linearEstimator, tableOf, type RowSpec } from "../../helpers/sim.js";

const B = 16;
const est = () => linearEstimator({ fixedUs: 500, perTokenUs: 20 });

/** Runs `table` on `replicas` replicas behind `policy` (router stream of `seed`). */
function run(
  policy: RouterPolicy,
  replicas: number,
  table: RequestTable,
  opts: { seed?: number; dep?: Partial<DeploymentInput>; loadPollIntervalS?: number; check?: boolean } = {},
): SimulationResult {
  const dep = deployment({ replicas, router: { policy }, ...opts.dep });
  const cfg = resolveRouterConfig(dep.deployment.router);
  const input: SimulationInput = {
    dep,
    table,
    estimator: est(),
    router: createRouter(cfg, replicas, rngStream(opts.seed ?? 1, "router")),
    loadPollIntervalS: opts.loadPollIntervalS ?? cfg.loadPollIntervalS,
    checkInvariantsEvery: opts.check ? 1 : 0,
  };
  return simulate(input);
}

/**
 * `sessions` conversations of `turns` turns, one round per second; in a round every session sends
 * its next turn at the same instant. Turn t's prompt is the session's first t * grow blocks.
 */
function rounds(sessions: number, turns: number, grow: number): RowSpec[] {
  const rows: RowSpec[] = [];
  for (let t = 1; t <= turns; t++) {
    for (let s = 0; s < sessions; s++) {
      const ids = Array.from({ length: t * grow }, (_, b) => (s + 1) * 100_000 + b);
      rows.push({ input: t * grow * B, output: 4, arrivalUs: (t - 1) * 1e6, ids });
    }
  }
  return rows;
}

describe("cache_aware vs round_robin in the cluster", () => {
  // 5 sessions x 6 turns on 4 replicas. Per session, input = (1+...+6) * grow blocks = 21 * grow.
  // cache_aware: turn t finds turn t-1's prompt, (t-1) * grow blocks: 15 * grow -> 15/21.
  // round_robin: request (t-1)*5 + s goes to replica ((t-1)*5 + s) % 4, so a session comes back to
  // a replica every 4 turns: turns 5 and 6 hit 1 and 2 * grow blocks -> 3/21.
  const sessions = 5;
  const turns = 6;
  const table = tableOf(rounds(sessions, turns, 8));
  const replicaOf = (r: SimulationResult, s: number, t: number) => r.outcomes.replica[(t - 1) * sessions + s];

  it("cache_aware keeps every conversation on one replica and spreads new ones by load", () => {
    const ca = run("cache_aware", 4, table, { check: true });
    const firstReplicas = new Set<number>();
    for (let s = 0; s < sessions; s++) {
      firstReplicas.add(replicaOf(ca, s, 1));
      for (let t = 2; t <= turns; t++) expect(replicaOf(ca, s, t)).toBe(replicaOf(ca, s, 1));
    }
    // First turns arrive together: least in-flight each time, ties to the lowest index: 0,1,2,3,0.
    expect([0, 1, 2, 3, 4].map((s) => replicaOf(ca, s, 1))).toEqual([0, 1, 2, 3, 0]);
    expect(firstReplicas.size).toBe(4);
    expect(ca.summary.prefixHitRate.total).toBeCloseTo(15 / 21, 4);
  });

  it("round_robin moves a conversation every turn and hits only what it left 4 turns earlier", () => {
    const rr = run("round_robin", 4, table, { check: true });
    for (let i = 0; i < table.count; i++) expect(rr.outcomes.replica[i]).toBe(i % 4);
    expect(rr.summary.prefixHitRate.total).toBeCloseTo(3 / 21, 4);
    const ca = run("cache_aware", 4, table);
    expect(ca.summary.prefixHitRate.total).toBeGreaterThan(1.5 * rr.summary.prefixHitRate.total);
    expect(ca.summary.ttftMs.mean).toBeLessThan(rr.summary.ttftMs.mean);
  });

  it("perReplica: completions and hit tokens add up to the totals", () => {
    const ca = run("cache_aware", 4, table);
    const per = ca.summary.perReplica;
    expect(per).toHaveLength(4);
    expect(per.reduce((a, r) => a + r.completed, 0)).toBe(ca.summary.completed);
    // Replica 0 serves sessions 0 and 4 (input 2 * 21 * 8 blocks), the others one session each:
    // every replica hits 15/21 of its input.
    expect(per.map((r) => r.completed)).toEqual([12, 6, 6, 6]);
    for (const r of per) {
      expect(r.prefixHitRate).toBeCloseTo(15 / 21, 4);
      expect(r.busyFraction).toBeGreaterThan(0);
      expect(r.busyFraction).toBeLessThanOrEqual(1);
    }
  });
});

describe("power_of_two in the cluster", () => {
  // Request 0 holds ~20k KV tokens for seconds on one replica. The first load poll (t = 1 s) sees
  // that replica loaded; a burst of 10 small long-decoding requests at 1.1-1.19 s then all go to
  // the other replica, because polled loads stay as they were until the next poll (2 s), however
  // many requests the router has sent there since (its own in-flight counts would alternate).
  const rows: RowSpec[] = [{ input: 20_000, output: 4_000, arrivalUs: 0 }];
  for (let k = 0; k < 10; k++) rows.push({ input: 64, output: 500, arrivalUs: 1.1e6 + k * 10_000 });
  const table = tableOf(rows);

  it.each([1, 2, 3, 4])("seed %i: the burst follows the polled loads (replica loadTokens), not in-flight counts", (seed) => {
    const p2 = run("power_of_two", 2, table, { seed, loadPollIntervalS: 1, check: seed === 1 });
    const heavy = p2.outcomes.replica[0];
    for (let k = 1; k <= 10; k++) expect(p2.outcomes.replica[k]).toBe(1 - heavy);
    // least_load (router in-flight counts) on the same table splits the burst.
    const ll = run("least_load", 2, table, { loadPollIntervalS: 1 });
    const onHeavy = [...Array(10).keys()].filter((k) => ll.outcomes.replica[k + 1] === ll.outcomes.replica[0]).length;
    expect(onHeavy).toBe(5); // in-flight (1, 0) -> 1, (1, 1) -> 0 (tie to the lowest), ... alternating
  });

  it("before the first poll it compares in-flight counts", () => {
    // Two requests at t = 0 and 1 ms, both still running when the second arrives: the second sees
    // in-flight (1, 0) or (0, 1) for its two samples (n = 2: both replicas) and takes the idle one.
    const t2 = tableOf([
      { input: 64, output: 500, arrivalUs: 0 },
      { input: 64, output: 500, arrivalUs: 1000 },
    ]);
    for (let seed = 1; seed <= 5; seed++) {
      const r = run("power_of_two", 2, t2, { seed, loadPollIntervalS: 10 });
      expect(r.outcomes.replica[1]).toBe(1 - r.outcomes.replica[0]);
    }
  });
});

describe("determinism and cost of a cluster", () => {
  // Mixed traffic: shared-system-prompt conversations and fresh prompts, 300 requests, with a small
  // KV pool so eviction and queueing happen.
  function mixed(): RequestTable {
    const rows: RowSpec[] = [];
    let s = 12345;
    const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
    const conv: number[][] = [];
    let fresh = 5_000_000;
    for (let i = 0; i < 300; i++) {
      const c = Math.floor(rnd() * 30);
      const prev = conv[c] ?? [c % 3];
      const ids = prev.concat(Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => fresh++));
      conv[c] = ids;
      rows.push({ input: ids.length * B - Math.floor(rnd() * 8), output: 1 + Math.floor(rnd() * 60), arrivalUs: i * 15_000, ids });
    }
    return tableOf(rows);
  }
  const table = mixed();
  const small = { engine: { chunkedPrefillSize: 512 } } as Partial<DeploymentInput>;

  it.each(ROUTER_POLICIES)("%s: same inputs and seed give a byte-identical summary and placement", (policy) => {
    const a = run(policy, 3, table, { seed: 9, dep: small });
    const b = run(policy, 3, table, { seed: 9, dep: small });
    expect(JSON.stringify(b.summary)).toBe(JSON.stringify(a.summary));
    expect(Array.from(b.outcomes.replica)).toEqual(Array.from(a.outcomes.replica));
    expect(a.summary.completed).toBe(300);
    expect(new Set(a.outcomes.replica).size).toBeGreaterThan(1);
  });

  it("cost scales with replicas: GPUs and L2 per replica, a shared L3 pool once", () => {
    const gpuOnly = (n: number) => deployment({ replicas: n }).costUsdPerHour;
    expect(gpuOnly(4)).toBeCloseTo(4 * gpuOnly(1), 9);
    const tiers = (n: number, shared: boolean) =>
      deployment({ replicas: n, kvCache: { l2: { capacityGb: 100 }, l3: { media: "remote_pool", capacityGb: 1000, shared } } }).costUsdPerHour;
    const l3Once = tiers(1, true) - deployment({ replicas: 1, kvCache: { l2: { capacityGb: 100 } } }).costUsdPerHour;
    expect(l3Once).toBeGreaterThan(0);
    expect(tiers(4, true)).toBeCloseTo(4 * (tiers(1, true) - l3Once) + l3Once, 9);
    expect(tiers(4, false)).toBeCloseTo(4 * tiers(1, false), 9);
  });
});

describe("idle gaps cost no periodic events", () => {
  // Two bursts a simulated year apart: load polls (every 10 s) and tree evictions / bucket re-cuts
  // are parked while nothing is in flight, so the run does not walk the year in 10 s steps.
  const YEAR_US = 365 * 86_400 * 1e6;
  const rows = [0, 1000, YEAR_US, YEAR_US + 1000].map((arrivalUs) => ({ input: 200, output: 4, arrivalUs }));

  it.each(["power_of_two", "cache_aware", "bucket"] as const)("%s: a year-long gap, every request served, a handful of events", (policy) => {
    const res = run(policy, 2, tableOf(rows));
    expect(res.summary.completed).toBe(4);
    expect(res.events).toBeLessThan(200);
  });
});
