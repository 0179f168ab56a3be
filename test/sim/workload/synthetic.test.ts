import { describe, expect, it } from "vitest";
import type { ClosedLoopWorkload, SyntheticWorkload } from "../../../src/config/types.js";
import { Rng } from "../../../src/sim/rng.js";
import { lruReuseProfile } from "../../../src/sim/cache/hit-curve.js";
import { generateClosedLoop } from "../../../src/sim/workload/closed-loop.js";
import {
  answerBlocks, forEachStreamBlock, fullPromptBlocks, promptBlocks, type RequestTable,
} from "../../../src/sim/workload/request-table.js";
import { scaleArrivals } from "../../../src/sim/workload/scale-arrivals.js";
import { generateSynthetic } from "../../../src/sim/workload/synthetic.js";
import { chainViolations, meanCv } from "./helpers.js";

const chat: SyntheticWorkload = {
  kind: "synthetic",
  requests: 20_000,
  arrival: { process: "poisson", ratePerS: 20 },
  inputTokens: { lognormal: { mean: 300, sigma: 0.6 }, max: 4000 },
  outputTokens: { lognormal: { mean: 200, sigma: 0.5 }, max: 2000 },
  prefix: { systemPrompts: 8, systemPromptTokens: 1000, zipfAlpha: 1.1, sessions: { turnsMean: 4, thinkTimeMeanS: 20 } },
};

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

function ids(t: RequestTable, i: number): number[] {
  return Array.from(t.hashIds.subarray(t.hashStart[i], t.hashStart[i + 1]));
}

function promptIds(t: RequestTable, i: number): number[] {
  return ids(t, i).slice(0, promptBlocks(t, i));
}

describe("synthetic workloads", () => {
  const t = generateSynthetic(chat, 42);

  it("has exactly `requests` requests, table-order invariants and block counts", () => {
    expect(t.count).toBe(20_000);
    let lastOpen = -Infinity;
    for (let i = 0; i < t.count; i++) {
      if (t.after[i] < 0) {
        expect(t.arrivalUs[i]).toBeGreaterThanOrEqual(lastOpen);
        lastOpen = t.arrivalUs[i];
      } else expect(t.after[i]).toBeLessThan(i);
      expect(promptBlocks(t, i)).toBe(Math.ceil(t.inputTokens[i] / 16));
    }
    expect(t.arrivalUs[0]).toBe(0);
  });

  it("is deterministic per seed and differs across seeds", () => {
    const again = generateSynthetic(chat, 42);
    for (const k of ["arrivalUs", "after", "afterDelayUs", "inputTokens", "outputTokens", "hashStart", "hashIds", "sessionId"] as const) {
      expect(sameBytes(again[k], t[k]), k).toBe(true);
    }
    expect(sameBytes(generateSynthetic(chat, 43).inputTokens, t.inputTokens)).toBe(false);
  });

  it("keeps the prefix-chain property (prompt and prompt+answer views)", () => {
    expect(chainViolations(t)).toEqual([]);
  });

  it("chains turns: turn k+1's prompt starts with turn k's prompt+answer blocks", () => {
    let checked = 0;
    for (let i = 0; i < t.count; i++) {
      const p = t.after[i];
      if (p < 0) continue;
      expect(p).toBe(i - 1);
      expect(t.sessionId[i]).toBe(t.sessionId[p]);
      // prompt = previous prompt + previous answer + new text
      expect(t.inputTokens[i]).toBeGreaterThan(t.inputTokens[p] + t.outputTokens[p]);
      const stream: number[] = [];
      forEachStreamBlock(t, p, (id) => stream.push(id));
      const complete = Math.floor((t.inputTokens[p] + t.outputTokens[p]) / 16);
      expect(stream.length).toBe(Math.ceil((t.inputTokens[p] + t.outputTokens[p]) / 16));
      expect(promptIds(t, i).slice(0, complete)).toEqual(stream.slice(0, complete));
      // a trailing partial block of prompt+answer is unique to p
      if (complete < stream.length) expect(promptIds(t, i)[complete]).not.toBe(stream[complete]);
      checked++;
    }
    expect(checked).toBeGreaterThan(10_000);
  });

  it("records answer entries continuing the stream from the first incomplete prompt block", () => {
    for (let i = 0; i < 2000; i++) {
      const total = t.inputTokens[i] + t.outputTokens[i];
      expect(fullPromptBlocks(t, i) + answerBlocks(t, i)).toBe(Math.ceil(total / 16));
    }
  });

  it("session sizes have mean turnsMean, think times mean thinkTimeMeanS, first turns at about ratePerS/turnsMean", () => {
    const turns = new Map<number, number>();
    for (let i = 0; i < t.count; i++) turns.set(t.sessionId[i], (turns.get(t.sessionId[i]) ?? 0) + 1);
    const sizes = [...turns.values()];
    expect(meanCv(sizes).mean).toBeGreaterThan(3.7);
    expect(meanCv(sizes).mean).toBeLessThan(4.3);
    // geometric: a fraction 1/turnsMean of sessions has one turn
    expect(sizes.filter((s) => s === 1).length / sizes.length).toBeCloseTo(0.25, 1);
    const think = [];
    for (let i = 0; i < t.count; i++) if (t.after[i] >= 0) think.push(t.afterDelayUs[i]);
    const m = meanCv(think);
    expect(Math.abs(m.mean - 20e6) / 20e6).toBeLessThan(0.05);
    expect(m.cv).toBeCloseTo(1, 1);
    const starts = [];
    for (let i = 0; i < t.count; i++) if (t.after[i] < 0) starts.push(t.arrivalUs[i]);
    const rate = (starts.length - 1) / (starts[starts.length - 1] / 1e6);
    expect(Math.abs(rate - 5) / 5).toBeLessThan(0.05);
    // the whole workload: about ratePerS requests per second over the session-start span
    expect(Math.abs(t.count / (starts[starts.length - 1] / 1e6) - 20) / 20).toBeLessThan(0.06);
  });

  it("shares system prompt blocks across sessions with Zipf popularity", () => {
    const sysBlocks = Math.floor(1000 / 16); // 62 complete blocks; block 62 straddles into user text
    const firstTurnOf = new Map<number, number>(); // first block id -> sessions
    const sysOf = new Map<number, number[]>();
    for (let i = 0; i < t.count; i++) {
      if (t.after[i] >= 0) continue;
      const p = promptIds(t, i);
      firstTurnOf.set(p[0], (firstTurnOf.get(p[0]) ?? 0) + 1);
      const known = sysOf.get(p[0]);
      if (known) expect(p.slice(0, sysBlocks)).toEqual(known);
      else sysOf.set(p[0], p.slice(0, sysBlocks));
      // the block straddling the system prompt and the user text belongs to the session alone
      expect(p[sysBlocks]).toBeGreaterThanOrEqual(8 * sysBlocks);
    }
    expect(firstTurnOf.size).toBe(8);
    // prompt p's blocks are p*62 .. p*62+61: popularity decreases with p
    const byPrompt = [...firstTurnOf.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
    for (let k = 1; k < 8; k++) expect(byPrompt[k]).toBeLessThan(byPrompt[k - 1] * 1.05);
    expect(byPrompt[0] / byPrompt[7]).toBeGreaterThan(5);
  });

  it("without prefix: single-turn open-loop requests at ratePerS, nothing shared", () => {
    const w = generateSynthetic({ ...chat, requests: 5000, prefix: undefined, arrival: { process: "gamma", ratePerS: 10, cv: 2 } }, 1);
    expect([...w.after].every((a) => a === -1)).toBe(true);
    for (let i = 0; i < w.count; i++) expect(answerBlocks(w, i)).toBe(0);
    expect(new Set(w.hashIds).size).toBe(w.hashIds.length);
    expect(lruReuseProfile(w).point(0).tokenHitRate).toBe(0);
    const gaps = [];
    for (let i = 1; i < w.count; i++) gaps.push(w.arrivalUs[i] - w.arrivalUs[i - 1]);
    const g = meanCv(gaps);
    expect(Math.abs(g.mean - 1e5) / 1e5).toBeLessThan(0.08);
    expect(g.cv).toBeCloseTo(2, 0);
  });

  it("keeps the chain property and turn structure on random specs", () => {
    const rng = new Rng(99);
    for (let trial = 0; trial < 30; trial++) {
      const B = [1, 4, 16, 64][rng.int(4)];
      const spec: SyntheticWorkload = {
        kind: "synthetic",
        requests: 50 + rng.int(300),
        arrival: { process: "poisson", ratePerS: 1 + rng.int(50) },
        inputTokens: { uniform: [1, 1 + rng.int(200)] },
        outputTokens: { uniform: [1, 1 + rng.int(100)] },
        blockSize: B,
        prefix: {
          systemPrompts: 1 + rng.int(4),
          systemPromptTokens: rng.int(3) === 0 ? 0 : rng.int(300),
          zipfAlpha: rng.next() * 2,
          ...(rng.int(3) > 0 ? { sessions: { turnsMean: 1 + rng.next() * 6, thinkTimeMeanS: rng.next() * 30 } } : {}),
        },
      };
      const w = generateSynthetic(spec, trial);
      expect(w.count).toBe(spec.requests);
      expect(chainViolations(w), `trial ${trial} ${JSON.stringify(spec)}`).toEqual([]);
      for (let i = 0; i < w.count; i++) {
        expect(promptBlocks(w, i)).toBe(Math.ceil(w.inputTokens[i] / B));
        const p = w.after[i];
        if (p < 0) continue;
        const complete = Math.floor((w.inputTokens[p] + w.outputTokens[p]) / B);
        const stream: number[] = [];
        forEachStreamBlock(w, p, (id) => stream.push(id));
        expect(promptIds(w, i).slice(0, complete)).toEqual(stream.slice(0, complete));
      }
    }
  });
});

describe("closed-loop workloads", () => {
  const spec: ClosedLoopWorkload = {
    kind: "closed-loop", concurrency: 16, requests: 320, inputTokens: { fixed: 1000 }, outputTokens: { uniform: [100, 300] },
  };

  it("one serial client: the first wave leaves one by one, request i follows i - concurrency after a start cost", () => {
    const t = generateClosedLoop(spec, 3, {}, 1000);
    expect(t.count).toBe(320);
    expect(t.serialClient).toBe(true);
    expect(t.arrivalUs[0]).toBe(0);
    let startSum = 0;
    let starts = 0;
    for (let i = 0; i < t.count; i++) {
      if (i > 0 && i < 16) {
        // Sends of the first wave, one after another: strictly increasing.
        expect(t.arrivalUs[i]).toBeGreaterThan(t.arrivalUs[i - 1]);
        startSum += t.arrivalUs[i] - t.arrivalUs[i - 1];
        starts++;
      }
      expect(t.after[i]).toBe(i < 16 ? -1 : i - 16);
      if (i >= 16) {
        expect(t.afterDelayUs[i]).toBeGreaterThan(0);
        startSum += t.afterDelayUs[i];
        starts++;
      }
      expect(t.inputTokens[i]).toBe(1000);
      expect(t.outputTokens[i]).toBeGreaterThanOrEqual(100);
      expect(t.outputTokens[i]).toBeLessThanOrEqual(300);
      expect(promptBlocks(t, i)).toBe(Math.ceil(1000 / 16));
    }
    // Exponential start costs of mean 1000 us: 319 draws average within ~15% of it.
    expect(startSum / starts).toBeGreaterThan(850);
    expect(startSum / starts).toBeLessThan(1150);
    expect(new Set(t.hashIds).size).toBe(t.hashIds.length);
    expect(generateClosedLoop(spec, 3, {}, 1000).afterDelayUs).toEqual(t.afterDelayUs);
    expect(generateClosedLoop(spec, 3).outputTokens).toEqual(t.outputTokens);
  });
});

describe("scaleArrivals", () => {
  it("divides open-loop arrival times by the factor and keeps think times and hashes", () => {
    const t = generateSynthetic({ ...chat, requests: 500 }, 5);
    const s = scaleArrivals(t, 2);
    for (let i = 0; i < t.count; i++) {
      if (t.after[i] < 0) expect(s.arrivalUs[i]).toBeCloseTo(t.arrivalUs[i] / 2, 6);
      else expect(s.arrivalUs[i]).toBeCloseTo(s.arrivalUs[t.after[i]] + t.afterDelayUs[i], 6);
    }
    expect(s.hashIds).toBe(t.hashIds);
    expect(s.afterDelayUs).toBe(t.afterDelayUs);
    expect(t.arrivalUs[t.count - 1]).not.toBe(s.arrivalUs[t.count - 1]);
  });
});
