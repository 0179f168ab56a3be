/**
 * The registry of task kinds a worker can run. A worker thread imports this file (through
 * `trial-worker.ts`), so every kind must be importable without side effects. Register a kind by
 * adding it here, e.g. `"sim.trial": simTrialKind`.
 */
import { failKind, probeKind, spinKind } from "./selftest-tasks.js";
import { simTrialKind } from "./sim-trial-kind.js";
import type { TaskKind } from "./task-kind.js";

export const taskKinds = {
  "sim.trial": simTrialKind,
  "selftest.spin": spinKind,
  "selftest.fail": failKind,
  "selftest.probe": probeKind,
} as const;

export type TaskKindName = keyof typeof taskKinds;
type KindOf<K extends TaskKindName> = (typeof taskKinds)[K];
export type TaskOf<K extends TaskKindName> = KindOf<K> extends TaskKind<infer T, any, any, any> ? T : never;
export type ResultOf<K extends TaskKindName> = KindOf<K> extends TaskKind<any, infer R, any, any> ? R : never;
export type SharedOf<K extends TaskKindName> = KindOf<K> extends TaskKind<any, any, infer S, any> ? S : never;
