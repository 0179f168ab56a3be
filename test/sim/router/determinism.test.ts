import { describe, expect, it } from "vitest";
import { createRouter, ROUTER_POLICIES } from "../../../src/sim/router/create-router.js";
import { rngStream } from "../../../src/sim/rng.js";
import type { RouterPolicy } from "../../../src/config/types.js";
import { cfg, ConversationIds, req } from "./fixtures.js";

/**
 * Drives a router through a seeded stream of arrivals (shared-prefix conversations and fresh
 * prompts), completions, load polls and housekeeping; returns every choice made.
 */
function drive(policy: RouterPolicy, seed: number): number[] {
  const n = 5;
  const r = createRouter(cfg({ policy, maxTreeSize: 2000, evictionIntervalS: 2, bucketAdjustIntervalS: 1, loadPollIntervalS: 0.5 }), n, rngStream(seed, "router"));
  const gen = rngStream(1234, "workload"); // the workload is the same for every router seed
  const conv = new ConversationIds([1, 2, 3]);
  const inFlight: { w: number; doneUs: number }[] = [];
  const choices: number[] = [];
  let hk = r.housekeeping(0);
  let nextPollUs = 0.5e6;
  const loads = new Float64Array(n);
  for (let i = 0; i < 3000; i++) {
    const t = i * 5000;
    while (hk <= t) hk = r.housekeeping(hk);
    // Completions in time order (ties: dispatch order).
    inFlight.sort((a, b) => a.doneUs - b.doneUs);
    while (inFlight.length > 0 && inFlight[0].doneUs <= t) r.onComplete(inFlight.shift()!.w, t);
    if (t >= nextPollUs) {
      loads.fill(0);
      for (const f of inFlight) loads[f.w] += 100;
      r.onLoadPoll(loads, t);
      nextPollUs += 0.5e6;
    }
    const blocks = conv.turn(gen.int(40), 1 + gen.int(3));
    const w = r.route(req(blocks, { inputTokens: blocks.length * 16 - gen.int(16) }), t);
    choices.push(w);
    inFlight.push({ w, doneUs: t + 20_000 + gen.int(400_000) });
  }
  return choices;
}

describe("router determinism", () => {
  it.each(ROUTER_POLICIES)("%s: same seed and requests give the same choices", (policy) => {
    const a = drive(policy, 11);
    expect(drive(policy, 11)).toEqual(a);
    expect(new Set(a).size).toBeGreaterThan(1); // it does spread load
  });

  it.each(["random", "power_of_two"] as const)("%s: a different seed gives different choices", (policy) => {
    expect(drive(policy, 12)).not.toEqual(drive(policy, 11));
  });
});
