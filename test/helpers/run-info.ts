/** A fixed clock and a minimal `run.json` for the results-folder tests. */
import { toolVersions, type RunInfo } from "../../src/results/run-info.js";

/** 2026-11-23 10:15 UTC: the run ids the tests expect start with it. */
export const NOW = new Date(Date.UTC(2026, 10, 23, 10, 15, 0));

/** A running run's `run.json` started at `NOW`. */
export function runInfoAt(runId: string, inputsHash: string): RunInfo {
  return {
    runId, inputsHash, status: "running", startedAt: NOW.toISOString(), seed: 1, flags: {}, inputs: {},
    versions: toolVersions(), timings: {},
  };
}
