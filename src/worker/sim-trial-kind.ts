/** The search's simulation trial as a worker task kind. */
import { initTrialState, runTrial, type TrialResult, type TrialState, type TrialTask } from "../search/trial.js";
import type { RequestTable } from "../sim/workload/request-table.js";
import { defineTaskKind } from "./task-kind.js";

export const simTrialKind = defineTaskKind<TrialTask, TrialResult, { table: RequestTable }, TrialState>({
  init: initTrialState,
  run: runTrial,
});
