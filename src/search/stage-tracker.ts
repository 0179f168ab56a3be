/**
 * Times each search stage at the edge (the simulator never reads the clock), tells the caller's
 * hooks, and keeps the per-stage statistics for the reports and run.json.
 */
import { performance } from "node:perf_hooks";
import type { StageStat } from "../report/context.js";
import type { TrialDriver } from "./driver.js";
import type { SearchEvents } from "./events.js";

export class StageTracker {
  readonly stats: StageStat[] = [];
  private start = { runs: 0, t: 0 };

  constructor(private readonly driver: TrialDriver, private readonly events: SearchEvents) {}

  /** A stage of simulations begins; `estimatedRuns` is a first guess of how many it runs. */
  begin(stage: 1 | 2 | 3 | 4, name: string, estimatedRuns: number): void {
    this.start = { runs: this.driver.used.size, t: performance.now() };
    this.events.onStageStart?.({ stage, name }, estimatedRuns);
  }

  /** The running stage expects `moreRuns` more simulations than it has run so far. */
  expect(moreRuns: number): void {
    this.events.onStageEstimate?.(this.driver.used.size - this.start.runs + moreRuns);
  }

  /** The running stage ends: its simulations and wall time are recorded. */
  end(stage: 1 | 2 | 3 | 4, name: string): void {
    this.events.onStageEnd?.({ stage, name });
    this.stats.push({ stage, name, runs: this.driver.used.size - this.start.runs, wallS: Math.round(performance.now() - this.start.t) / 1000 });
  }

  /** Records a stage that ran no simulations (stage 1's estimates) and took `wallS` seconds. */
  record(stat: StageStat): void {
    this.stats.push(stat);
  }
}
