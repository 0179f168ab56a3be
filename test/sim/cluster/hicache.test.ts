/**
 * HiCache behaviour on tiny hand-checked scenarios (SGLang `python/sglang/srt/mem_cache/hiradix_cache.py`
 * and `python/sglang/srt/managers/cache_controller.py`: write-through/back, load-back, L3 prefetch).
 * The linear estimator makes compute cost obvious: 1 us per new token plus a fixed step cost.
 */
import { describe, expect, it } from "vitest";
import { simulate } from "../../../src/sim/cluster/simulate.js";
import type { DeploymentInput } from "../../../src/config/types.js";
import { deployment, linearEstimator, tableOf, type RowSpec } from "../../helpers/sim.js";

const B = 16;
const est = () => linearEstimator({ fixedUs: 500, perTokenUs: 20 });
/** qwen3-8b bf16 tp1: 147,456 KV bytes per token, 2.36 MB per 16-token block. */
const BLOCK_BYTES = 147456 * B;

function withPool(input: Partial<DeploymentInput>, kvPoolTokens: number) {
  return deployment(input, (d) => {
    (d.memory as { kvPoolTokens: number }).kvPoolTokens = kvPoolTokens;
  });
}

/** `sessions` conversations of `turns` turns, each turn adding `grow` blocks; turns interleave. */
function multiTurn(sessions: number, turns: number, grow: number, gapUs: number): RowSpec[] {
  const rows: RowSpec[] = [];
  let t = 0;
  for (let k = 1; k <= turns; k++) {
    for (let s = 0; s < sessions; s++) {
      const ids = Array.from({ length: k * grow }, (_, b) => (s + 1) * 100_000 + b);
      rows.push({ input: k * grow * B, output: 4, arrivalUs: t, ids });
      t += gapUs;
    }
  }
  return rows;
}

describe("HiCache L2 (host memory)", () => {
  it("raises the hit rate and lowers mean TTFT when multi-turn traffic overflows L1", () => {
    const table = tableOf(multiTurn(12, 5, 8, 200_000));
    const l1Only = simulate({ dep: withPool({}, 1024), table, estimator: est() });
    const withL2 = simulate({ dep: withPool({ kvCache: { l2: { capacityGb: 2 } } }, 1024), table, estimator: est() });
    expect(l1Only.summary.evictions.l1).toBeGreaterThan(0);
    expect(withL2.summary.prefixHitRate.l2).toBeGreaterThan(0.2);
    expect(withL2.summary.prefixHitRate.total).toBeGreaterThan(l1Only.summary.prefixHitRate.total + 0.2);
    expect(withL2.summary.ttftMs.mean).toBeLessThan(l1Only.summary.ttftMs.mean);
    expect(withL2.summary.ioGb.l2ToL1).toBeGreaterThan(0);
  });

  it("write_through backs up on the first insert, write_through_selective only on the second hit", () => {
    const shared = Array.from({ length: 8 }, (_, i) => i + 1);
    const one = tableOf([{ input: 8 * B + 4, output: 2, ids: [...shared, 99] }]);
    const two = tableOf([
      { input: 8 * B + 4, output: 2, ids: [...shared, 99], arrivalUs: 0 },
      { input: 8 * B + 4, output: 2, ids: [...shared, 98], arrivalUs: 1e6 },
    ]);
    const l2 = (writePolicy: "write_through" | "write_through_selective") => ({ kvCache: { l2: { capacityGb: 1 }, writePolicy } });
    const wt = simulate({ dep: deployment(l2("write_through")), table: one, estimator: est() });
    const sel1 = simulate({ dep: deployment(l2("write_through_selective")), table: one, estimator: est() });
    const sel2 = simulate({ dep: deployment(l2("write_through_selective")), table: two, estimator: est() });
    expect(wt.summary.ioGb.l1ToL2 * 1e9).toBeCloseTo(8 * BLOCK_BYTES, -3);
    expect(sel1.summary.ioGb.l1ToL2).toBe(0);
    // The second request hits the 8 shared blocks: now they have 2 hits and are backed up.
    expect(sel2.summary.ioGb.l1ToL2 * 1e9).toBeCloseTo(8 * BLOCK_BYTES, -3);
  });
});

describe("HiCache L3 prefetch policies", () => {
  // Request 0 writes a 64-block prompt through L2 to L3; fillers then push it out of L1 and L2;
  // request last reuses the 64-block prefix and must prefetch it from L3.
  const prefix = Array.from({ length: 64 }, (_, i) => 500_000 + i);
  const rows: RowSpec[] = [{ input: 64 * B + 8, output: 2, arrivalUs: 0, ids: [...prefix, 1] }];
  for (let f = 0; f < 8; f++) {
    rows.push({ input: 64 * B, output: 2, arrivalUs: 1e6 + f * 1e6, ids: Array.from({ length: 64 }, (_, i) => 600_000 + f * 100 + i) });
  }
  const lastArrival = 10e6;
  rows.push({ input: 64 * B + 8, output: 2, arrivalUs: lastArrival, ids: [...prefix, 2] });
  const table = tableOf(rows);
  const last = rows.length - 1;
  // L3 on a slow medium: 64 blocks * 2.36 MB = 151 MB at 0.1 GB/s = 1.51 s.
  const l3ReadGBps = 0.1;
  const transferUs = 50 + (64 * BLOCK_BYTES) / (l3ReadGBps * 1e3);
  const dep = (prefetchPolicy: "best_effort" | "wait_complete" | "timeout", extra: object = {}) =>
    withPool(
      {
        kvCache: {
          l2: { capacityGb: 1 }, // 423 blocks (> 2x L1): 8 fillers of 64 blocks evict request 0's
          l3: { media: "remote_pool", capacityGb: 100, readGBps: l3ReadGBps, latencyUs: 50 },
          prefetchPolicy,
          ...extra,
        },
      },
      2048,
    );

  it("wait_complete waits for the whole prefetch; best_effort admits with what arrived", () => {
    const wait = simulate({ dep: dep("wait_complete"), table, estimator: est() });
    const best = simulate({ dep: dep("best_effort"), table, estimator: est() });
    const ttftWait = wait.outcomes.firstTokenUs[last] - lastArrival;
    const ttftBest = best.outcomes.firstTokenUs[last] - lastArrival;
    expect(wait.outcomes.hitL3[last]).toBe(64 * B);
    expect(ttftWait).toBeGreaterThanOrEqual(transferUs);
    // best_effort: the idle replica admits at arrival, before any page arrived: full recompute.
    expect(best.outcomes.hitL3[last]).toBe(0);
    expect(ttftBest).toBeLessThan(transferUs);
    expect(wait.summary.ioGb.l3ToL2 * 1e9).toBeCloseTo(64 * BLOCK_BYTES, -4);
  });

  it("timeout stops waiting at base + per-KiB-token * tokens / 1024", () => {
    // 1024 tokens to fetch: timeout = 0.2 + 0.5 * 1 = 0.7 s < 1.51 s transfer.
    const res = simulate({
      dep: dep("timeout", { prefetchTimeoutBaseS: 0.2, prefetchTimeoutPerKiTokenS: 0.5 }),
      table,
      estimator: est(),
    });
    const admitUs = 0.7e6;
    const fetchedBlocks = Math.floor(((admitUs - 50) / (transferUs - 50)) * 64);
    expect(res.outcomes.hitL3[last]).toBe(fetchedBlocks * B);
    const recompute = 500 + 20 * (64 * B + 8 - fetchedBlocks * B);
    const ttft = res.outcomes.firstTokenUs[last] - lastArrival;
    // Admitted at the deadline (+1 us wake granularity), then one prefill step of the rest.
    expect(ttft).toBeGreaterThanOrEqual(admitUs + recompute);
    expect(ttft).toBeLessThan(admitUs + recompute + 2000);
  });

  it("a slow L3 loses to recompute, a fast one wins (sgl-project/sglang#26305 counter-anchor)", () => {
    const noL3 = simulate({ dep: withPool({ kvCache: { l2: { capacityGb: 1 } } }, 2048), table, estimator: est() });
    const slow = simulate({ dep: dep("wait_complete"), table, estimator: est() });
    const fast = simulate({
      dep: withPool({ kvCache: { l2: { capacityGb: 1 }, l3: { media: "remote_pool", capacityGb: 100 }, prefetchPolicy: "wait_complete" } }, 2048),
      table,
      estimator: est(),
    });
    const ttft = (r: typeof noL3) => r.outcomes.firstTokenUs[last] - lastArrival;
    expect(ttft(slow)).toBeGreaterThan(ttft(noL3));
    expect(ttft(fast)).toBeLessThan(ttft(noL3));
    expect(fast.outcomes.hitL3[last]).toBe(64 * B);
  });
});
