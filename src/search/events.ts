/**
 * Hooks that follow a search, passed to `runSearch(opts, events)` the way vitest takes reporters:
 * every hook is optional and is called on the main thread as things happen. The search never
 * writes to a terminal itself; the CLI turns these into its progress line (`src/cli/progress.ts`).
 */
import type { TrialResult, TrialTask } from "../runner/trial.js";

/** A stage of simulations, as announced by `onStageStart` and `onStageEnd`. */
export interface StageInfo {
  /** 1-3: the three search stages; 4: confirmation of the frontier and its measured capacities. */
  stage: 1 | 2 | 3 | 4;
  /** e.g. "routing co-evaluation". */
  name: string;
}

export interface SearchEvents {
  /** A line of news for the user, e.g. stage 1's screening summary. */
  onLog?(message: string): void;
  /** A stage of simulations starts; `estimatedRuns` is a first guess of how many it will run. */
  onStageStart?(stage: StageInfo, estimatedRuns: number): void;
  /** The running stage's expected simulations changed (binary searches learn theirs as they go). */
  onStageEstimate?(runs: number): void;
  /** One simulation finished (completion order; the results themselves never depend on it). */
  onTrialDone?(task: TrialTask, result: TrialResult): void;
  /** The running stage finished. */
  onStageEnd?(stage: StageInfo): void;
}
