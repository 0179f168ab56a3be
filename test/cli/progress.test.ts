import { describe, expect, it } from "vitest";
import { ProgressReporter } from "../../src/cli/progress.js";

function harness(isTty: boolean, opts: { quiet?: boolean } = {}) {
  let t = 0;
  const out: string[] = [];
  const p = new ProgressReporter({ err: (s) => out.push(s), errIsTty: isTty }, { now: () => t, ...opts });
  return { p, out, at: (ms: number) => (t = ms) };
}

describe("ProgressReporter (not a terminal)", () => {
  it("prints at start, at every 10%, every 5 s, and at the end, one line each", () => {
    const { p, out, at } = harness(false);
    p.startStage("stage 2/3 routing", 100);
    expect(out).toEqual(["stage 2/3 routing: 0/100 runs (0%), 0.0 s elapsed, ETA --\n"]);
    at(1000);
    for (let i = 0; i < 9; i++) p.tick();
    expect(out).toHaveLength(1); // 9%: nothing yet
    p.tick(); // 10% after 1 s: 90 left at 10 per s
    expect(out[1]).toBe("stage 2/3 routing: 10/100 runs (10%), 1.0 s elapsed, ETA 9.0 s\n");
    at(7000);
    p.tick(); // 11 done, 6 s since the last line; 89 x 7 s / 11 = 56.6 s
    expect(out[2]).toBe("stage 2/3 routing: 11/100 runs (11%), 7.0 s elapsed, ETA 57 s\n");
    at(7500);
    p.tick(); // neither 5 s nor a new 10% step
    expect(out).toHaveLength(3);
    at(10_000);
    p.tick(8); // 20 done: a new step
    expect(out[3]).toBe("stage 2/3 routing: 20/100 runs (20%), 10 s elapsed, ETA 40 s\n");
    at(90_000);
    p.tick(80);
    p.finishStage();
    expect(out.at(-1)).toBe("stage 2/3 routing: 100/100 runs in 1m 30s\n");
    expect(out.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
  });

  it("handles totals that grow while the stage runs", () => {
    const { p, out, at } = harness(false);
    p.startStage("stage 2", 10);
    at(2000);
    p.tick(10);
    expect(out.at(-1)).toContain("10/10 runs (100%), 2.0 s elapsed, done");
    p.setTotal(40);
    at(8000);
    p.tick(10);
    expect(out.at(-1)).toBe("stage 2: 20/40 runs (50%), 8.0 s elapsed, ETA 8.0 s\n");
  });
});

describe("ProgressReporter.counter (a job without a known total)", () => {
  it("prints nothing until the first simulation, then counts them and ends with the count", () => {
    const { p, out, at } = harness(false);
    const tick = p.counter("nightly simulations");
    expect(out).toEqual([]);
    tick();
    expect(out).toEqual(["nightly simulations: 0 runs, 0.0 s elapsed\n"]); // the stage begins, then counts
    at(2000);
    tick();
    tick();
    p.finishStage();
    expect(out.at(-1)).toBe("nightly simulations: 3 runs in 2.0 s\n");
  });

  it("finishStage after no simulation prints nothing", () => {
    const { p, out } = harness(false);
    p.counter("compare-gpus simulations");
    p.finishStage();
    expect(out).toEqual([]);
  });
});

describe("ProgressReporter (terminal)", () => {
  it("redraws one line in place, at most every 100 ms, and ends it with a newline", () => {
    const { p, out, at } = harness(true);
    p.startStage("stage 3/3 tiers", 4);
    expect(out).toEqual(["\r\x1b[2Kstage 3/3 tiers: 0/4 runs (0%), 0.0 s elapsed, ETA --"]);
    at(50);
    p.tick();
    expect(out).toHaveLength(1); // throttled
    at(200);
    p.tick();
    expect(out[1]).toBe("\r\x1b[2Kstage 3/3 tiers: 2/4 runs (50%), 0.2 s elapsed, ETA 0.2 s");
    p.log("note: something happened");
    expect(out.slice(2)).toEqual(["\n", "note: something happened\n"]);
    at(400);
    p.tick(2);
    p.finishStage();
    expect(out.slice(-2)).toEqual(["\r\x1b[2Kstage 3/3 tiers: 4/4 runs in 0.4 s", "\n"]);
  });
});

describe("ProgressReporter (quiet)", () => {
  it("prints nothing", () => {
    const { p, out, at } = harness(true, { quiet: true });
    p.startStage("s", 10);
    at(10_000);
    p.tick(10);
    p.log("x");
    p.finishStage();
    expect(out).toEqual([]);
  });
});
