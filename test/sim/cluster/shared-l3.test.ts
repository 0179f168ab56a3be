/**
 * The shared L3 pool (`kvCache.l3.shared: true`, Mooncake store / 3FS style): one store, one read
 * and one write link for every replica. Three properties on tiny round-robin clusters:
 * a block written by one replica is prefetched by another, concurrent transfers queue behind each
 * other on the pool's bandwidth, and the pool's capacity evicts across replicas (one global LRU).
 */
import { describe, expect, it } from "vitest";
import { simulate } from "../../../src/sim/cluster/simulate.js";
import type { SimulationResult } from "../../../src/sim/cluster/summary.js";
import { rngStream } from "../../../src/sim/rng.js";
import { createRouter, resolveRouterConfig } from "../../../src/sim/router/create-router.js";
import { deployment, linearEstimator, tableOf, type RowSpec } from "../../helpers/sim.js";

const B = 16;
/** qwen3-8b bf16 tp1: 147,456 KV bytes per token, 2.36 MB per 16-token block. */
const BLOCK_BYTES = 147456 * B;
const P = 64; // blocks per shared prefix

const prefix = (base: number) => Array.from({ length: P }, (_, i) => base + i);
const A = prefix(100_000);
const C = prefix(200_000);
/** A prompt of the 64 prefix blocks plus 8 tokens of its own (a partial block, never cached). */
const row = (ids: number[], tail: number, arrivalUs: number): RowSpec => ({ input: P * B + 8, output: 2, arrivalUs, ids: [...ids, tail] });

function run(
  rows: RowSpec[],
  replicas: number,
  l3: { shared: boolean; capacityGb?: number; readGBps?: number },
  prefetch: object = { prefetchPolicy: "wait_complete" },
): SimulationResult {
  const dep = deployment({
    replicas,
    router: { policy: "round_robin" },
    kvCache: {
      l2: { capacityGb: 100 }, // > the GPU pool, so HiCache may prefetch (prefetch_capacity_limit)
      l3: { media: "remote_pool", capacityGb: l3.capacityGb ?? 100, shared: l3.shared, ...(l3.readGBps ? { readGBps: l3.readGBps } : {}) },
      ...prefetch,
    },
  });
  return simulate({
    dep,
    table: tableOf(rows),
    estimator: linearEstimator({ fixedUs: 500, perTokenUs: 20 }),
    router: createRouter(resolveRouterConfig(dep.deployment.router), replicas, rngStream(1, "router")),
    checkInvariantsEvery: 1,
  });
}

describe("shared L3 pool", () => {
  it("a block written by one replica is prefetched by another", () => {
    // Round robin: request 0 (prefix A) on replica 0, which writes A through L2 to L3; request 1
    // (same prefix, 1 s later) on replica 1, which never computed A.
    const rows = [row(A, 1, 0), row(A, 2, 1e6)];
    const shared = run(rows, 2, { shared: true });
    const own = run(rows, 2, { shared: false });
    expect(Array.from(shared.outcomes.replica)).toEqual([0, 1]);
    expect(shared.outcomes.hitL3[1]).toBe(P * B);
    expect(shared.outcomes.hitL1[1] + shared.outcomes.hitL2[1]).toBe(0);
    expect(shared.summary.ioGb.l3ToL2 * 1e9).toBeCloseTo(P * BLOCK_BYTES, -3);
    // The pool already holds A: replica 1 writes nothing. Per-replica stores: replica 1 misses,
    // recomputes A and writes its own copy.
    expect(shared.summary.ioGb.l2ToL3 * 1e9).toBeCloseTo(P * BLOCK_BYTES, -3);
    expect(own.outcomes.hitL3[1]).toBe(0);
    expect(own.summary.ioGb.l2ToL3 * 1e9).toBeCloseTo(2 * P * BLOCK_BYTES, -3);
    expect(shared.outcomes.firstTokenUs[1]).toBeLessThan(own.outcomes.firstTokenUs[1]);
  });

  it("concurrent prefetches share the pool's read bandwidth", () => {
    // Replica 0 writes A, replica 1 writes C; at 1 s replica 0 reads C and replica 1 reads A.
    // At 1 GB/s one 64-block prefetch takes d = 50 us + 151 MB / 1 GB/s = 151 ms; arriving together,
    // the second queues behind the first and completes at 2d; a second later it would take d.
    const readGBps = 1;
    const d = 50 + (P * BLOCK_BYTES) / (readGBps * 1e3);
    const together = run([row(A, 1, 0), row(C, 2, 0), row(C, 3, 1e6), row(A, 4, 1e6)], 2, { shared: true, readGBps });
    const apart = run([row(A, 1, 0), row(C, 2, 0), row(C, 3, 1e6), row(A, 4, 3e6)], 2, { shared: true, readGBps });
    const ttft = (r: SimulationResult, i: number) => r.outcomes.firstTokenUs[i] - r.outcomes.arrivalUs[i];
    for (const r of [together, apart]) {
      expect(Array.from(r.outcomes.replica)).toEqual([0, 1, 0, 1]);
      expect(r.outcomes.hitL3[2]).toBe(P * B);
      expect(r.outcomes.hitL3[3]).toBe(P * B);
    }
    // wait_complete: each is admitted when its transfer lands; what follows (load-back of the 64
    // host blocks overlapped with the 8-token prefill) is the same in both runs.
    const near = (x: number, want: number) => {
      expect(x).toBeGreaterThanOrEqual(want - 2);
      expect(x).toBeLessThan(want + 2);
    };
    expect(ttft(apart, 3)).toBeGreaterThan(d);
    near(ttft(apart, 2), ttft(apart, 3));
    near(ttft(together, 2), ttft(apart, 2));
    near(ttft(together, 3) - ttft(apart, 3), d);
  });

  it("timeout counts from arrival, so time queued behind another replica's transfer counts", () => {
    // As above, both reads at 1 s; timeout 0.25 s (< 2d = 302 ms). The second transfer moves from
    // d to 2d after arrival; at 250 ms (+1 us wake) it is cut with (250,001 - d - 50) / (d - 50)
    // of its 64 blocks. Timed from when the link started it, it would have completed.
    const readGBps = 1;
    const d = 50 + (P * BLOCK_BYTES) / (readGBps * 1e3);
    const rows = [row(A, 1, 0), row(C, 2, 0), row(C, 3, 1e6), row(A, 4, 1e6)];
    const res = run(rows, 2, { shared: true, readGBps }, { prefetchPolicy: "timeout", prefetchTimeoutBaseS: 0.25, prefetchTimeoutPerKiTokenS: 0 });
    expect(res.outcomes.hitL3[2]).toBe(P * B);
    const fetched = Math.floor(((250_001 - d - 50) / (d - 50)) * P);
    expect(fetched).toBe(41);
    expect(res.outcomes.hitL3[3]).toBe(fetched * B);
  });

  it("its capacity evicts globally, least recently used first, whichever replica wrote", () => {
    // A pool of 100 blocks. Replica 0 writes A (64), replica 1 then writes C (64): 28 blocks must
    // go, all from A (older), deepest first, so A's first 36 blocks remain. Replica 2, which has
    // seen neither, then prefetches the 36 surviving blocks of A, recomputes the other 28 and
    // writes those back, which evicts C's 28 deepest blocks in turn.
    const capacityGb = (100.5 * BLOCK_BYTES) / 1e9;
    const rows = [row(A, 1, 0), row(C, 2, 1e6), row(A, 3, 2e6)];
    const shared = run(rows, 3, { shared: true, capacityGb });
    expect(Array.from(shared.outcomes.replica)).toEqual([0, 1, 2]);
    expect(shared.outcomes.hitL3[2]).toBe(36 * B);
    expect(shared.summary.evictions.l3).toBe(28 + 28); // counted once for the pool, not per replica
    expect(shared.summary.ioGb.l2ToL3 * 1e9).toBeCloseTo((64 + 64 + 28) * BLOCK_BYTES, -3);
    // One 100-block store per replica: nobody evicts anybody, and replica 2's own store is empty.
    const own = run(rows, 3, { shared: false, capacityGb });
    expect(own.summary.evictions.l3).toBe(0);
    expect(own.outcomes.hitL3[2]).toBe(0);
  });
});

describe("shared L3 under pressure", () => {
  // Multi-turn conversations with shared system blocks and conversation restarts, on 3 replicas
  // with a tiny GPU pool, host memory of ~8k tokens and a 2 GB shared pool at 0.5 GB/s: prefetches
  // constantly have to evict host-only leaves to make room (seed 3 once evicted the very node a
  // prefetch continued, then unlocked a recycled node).
  function traffic(seed: number) {
    const g = rngStream(seed, "fuzz");
    const rows: RowSpec[] = [];
    const conv: number[][] = [];
    let fresh = 1_000_000;
    for (let i = 0; i < 250; i++) {
      const c = g.int(25);
      const prev = conv[c] ?? [c % 4, 50 + (c % 4)];
      const ids = prev.concat(Array.from({ length: 1 + g.int(20) }, () => fresh++));
      conv[c] = g.int(5) === 0 ? [] : ids;
      rows.push({ input: ids.length * 16 - g.int(10), output: 1 + g.int(80), arrivalUs: i * (2000 + g.int(20000)), ids });
    }
    return tableOf(rows);
  }

  it.each([
    [1, "cache_aware"],
    [2, "round_robin"],
    [3, "bucket"],
  ] as const)("seed %i, %s: KV invariants hold and every request completes", (seed, policy) => {
    const dep = deployment(
      {
        replicas: 3,
        router: { policy },
        engine: { chunkedPrefillSize: 256 },
        kvCache: {
          l2: { capacityGb: 1.2 },
          l3: { media: "remote_pool", capacityGb: 2, shared: true, readGBps: 0.5 },
          prefetchPolicy: "wait_complete",
          prefetchThresholdTokens: 32,
        },
      },
      (d) => {
        (d.memory as { kvPoolTokens: number }).kvPoolTokens = 3500;
      },
    );
    const res = simulate({
      dep,
      table: traffic(seed),
      estimator: linearEstimator({ fixedUs: 300, perTokenUs: 3, perCtxUs: 0.01 }),
      router: createRouter(resolveRouterConfig(dep.deployment.router), 3, rngStream(seed, "router")),
      loadPollIntervalS: 0.05,
      checkInvariantsEvery: 25,
    });
    expect(res.summary.completed).toBe(250);
    expect(res.summary.prefixHitRate.l3).toBeGreaterThan(0);
    expect(res.summary.evictions.l2).toBeGreaterThan(0);
  });
});
