import { describe, expect, it } from "vitest";
import { PowerOfTwoRouter } from "../../../src/sim/router/power-of-two.js";
import { rngStream } from "../../../src/sim/rng.js";
import { lenReq } from "./fixtures.js";

describe("power_of_two", () => {
  it("never picks the more loaded of its two distinct samples (property over loads and seeds)", () => {
    for (let seed = 1; seed <= 30; seed++) {
      const n = 2 + (seed % 7);
      const r = new PowerOfTwoRouter(n, rngStream(seed, "router"));
      const mirror = rngStream(seed, "router");
      const gen = rngStream(seed, "loads");
      const usePoll = seed % 2 === 0;
      const polled = new Float64Array(n);
      const bad: string[] = [];
      for (let i = 0; i < 300; i++) {
        if (usePoll) {
          for (let w = 0; w < n; w++) polled[w] = gen.int(4); // small range: many ties
          r.onLoadPoll(polled, i);
        } else {
          for (let w = 0; w < n; w++) r.inFlight[w] = gen.int(4);
        }
        const loads = usePoll ? Array.from(polled) : Array.from(r.inFlight);
        const i1 = mirror.int(n);
        const i2 = (i1 + 1 + mirror.int(n - 1)) % n;
        const w = r.route(lenReq(10), i);
        const other = w === i1 ? i2 : i1;
        if (i1 === i2) bad.push(`seed ${seed}: samples equal`);
        if (w !== i1 && w !== i2) bad.push(`seed ${seed}: ${w} not sampled`);
        if (loads[w] > loads[other]) bad.push(`seed ${seed}: picked load ${loads[w]} over ${loads[other]}`);
        if (loads[i1] === loads[i2] && w !== i1) bad.push(`seed ${seed}: tie not to the first sample`);
      }
      expect(bad).toEqual([]);
    }
  });

  it("samples every ordered pair of distinct workers about equally", () => {
    const n = 3;
    const mirror = rngStream(4, "router");
    const pairs = new Map<string, number>();
    for (let i = 0; i < 60_000; i++) {
      const i1 = mirror.int(n);
      const i2 = (i1 + 1 + mirror.int(n - 1)) % n;
      pairs.set(`${i1}${i2}`, (pairs.get(`${i1}${i2}`) ?? 0) + 1);
    }
    expect([...pairs.keys()].sort()).toEqual(["01", "02", "10", "12", "20", "21"]);
    for (const c of pairs.values()) expect(Math.abs(c - 10_000)).toBeLessThan(450);
  });

  it("uses router-local in-flight counts until a poll arrives, then the polled loads", () => {
    const r = new PowerOfTwoRouter(2, rngStream(1, "router"));
    r.inFlight[1] = 100; // worker 1 busy by request count...
    const before = Array.from({ length: 20 }, (_, i) => r.route(lenReq(10), i));
    expect(before).toEqual(new Array(20).fill(0));
    r.onLoadPoll(Float64Array.of(5000, 10), 30); // ...but light by polled tokens
    const after = Array.from({ length: 20 }, (_, i) => r.route(lenReq(10), 40 + i));
    expect(after).toEqual(new Array(20).fill(1));
    // Polled loads stay until the next poll (stale), whatever the router dispatches meanwhile.
    expect(Array.from(r.polledLoads)).toEqual([5000, 10]);
    expect(() => r.onLoadPoll(Float64Array.of(1, 2, 3), 50)).toThrow(/3 loads for 2/);
  });

  it("chooses the only worker without drawing", () => {
    const rng = rngStream(2, "router");
    const r = new PowerOfTwoRouter(1, rng);
    expect([r.route(lenReq(1), 0), r.route(lenReq(1), 0)]).toEqual([0, 0]);
    expect(rng.next()).toBe(rngStream(2, "router").next());
  });
});
