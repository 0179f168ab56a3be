import { describe, expect, it } from "vitest";
import { EventQueue, EventRank, newPoppedEvent } from "../../src/sim/event-queue.js";
import { rngStream } from "../../src/sim/rng.js";

describe("event queue", () => {
  it("orders by time, then rank, then insertion", () => {
    const q = new EventQueue();
    q.push(10, EventRank.schedule, 1, 100);
    q.push(10, EventRank.stepDone, 2, 101);
    q.push(5, EventRank.periodic, 3, 102);
    q.push(10, EventRank.stepDone, 4, 103);
    q.push(10, EventRank.arrival, 5, 104);
    const e = newPoppedEvent();
    const order: number[] = [];
    while (q.pop(e)) order.push(e.target);
    expect(order).toEqual([102, 101, 103, 104, 100]);
  });

  it("pops a random mix in (time, rank, seq) order and grows past its initial size", () => {
    const r = rngStream(11, "events");
    const q = new EventQueue();
    const pushed: [number, number, number][] = [];
    for (let i = 0; i < 5000; i++) {
      const t = r.int(50);
      const rank = r.int(5) as 0 | 1 | 2 | 3 | 4;
      q.push(t, rank, 0, i);
      pushed.push([t, rank, i]);
    }
    pushed.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]);
    const e = newPoppedEvent();
    const got: number[] = [];
    while (q.pop(e)) got.push(e.target);
    expect(got).toEqual(pushed.map((p) => p[2]));
    expect(q.size).toBe(0);
    expect(q.peekTime()).toBe(Infinity);
  });
});
