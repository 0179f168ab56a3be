/**
 * The server front end, computed by hand: a FIFO on one CPU; requests reach the scheduler once
 * tokenized; a step's tokens are streamed one after another after the step's fixed cost.
 */
import { describe, expect, it } from "vitest";
import { simulate } from "../../../src/sim/cluster/simulate.js";
import { FrontEnd } from "../../../src/sim/engine/front-end.js";
import { deployment, linearEstimator, tableOf } from "../../helpers/sim.js";

const costs = { requestUs: 100, promptTokenUs: 1, stepUs: 50, tokenUs: 10 };

describe("front end", () => {
  it("serves intake and step outputs in order of arrival", () => {
    const fe = new FrontEnd(costs);
    // Two requests of 1000 tokens at t=0: 1100 us each, one after the other.
    expect(fe.intake(0, 1000)).toBe(1100);
    expect(fe.intake(0, 1000)).toBe(2200);
    // A step ending at 1500 waits for the second intake (busy until 2200): its 3 tokens leave at
    // 2200 + 50 + 10, + 20, + 30.
    fe.beginStep(1500, 3);
    expect([fe.nextDelivery(), fe.nextDelivery(), fe.nextDelivery()]).toEqual([2260, 2270, 2280]);
    // A request arriving at 2250 is tokenized after that step's output: from 2280.
    expect(fe.intake(2250, 100)).toBe(2280 + 200);
    // An idle front end starts a job when it arrives.
    expect(fe.intake(10_000, 0)).toBe(10_100);
  });

  it("adds its costs to TTFT and to the gaps between tokens when it is the bottleneck", () => {
    const est = linearEstimator({ fixedUs: 1000, perTokenUs: 10 });
    const table = tableOf([{ input: 100, output: 3, arrivalUs: 0 }]);
    const dep = deployment({}, (d) => (d.engine.frontEnd = { ...costs }));
    const o = simulate({ dep, table, estimator: est }).outcomes;
    // Intake 100 + 100 = 200; prefill 200..2200 (1000 + 10 x 100); token streamed at 2200 + 50 + 10.
    expect(o.firstTokenUs[0]).toBe(2260);
    // Decodes 2200..3210 and 3210..4220; each token streamed 60 us after its step.
    expect(o.finishUs[0]).toBe(4220 + 60);
  });
});
