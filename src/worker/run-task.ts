/**
 * Runs one task of a registered kind. `init` runs once per (kind, shared data) in this thread and
 * its state is reused by every later task, so a worker prepares the workload once.
 */
import { InvariantError } from "../errors.js";
import { taskKinds, type TaskKindName } from "./task-kinds.js";
import type { TaskKind } from "./task-kind.js";

const NO_SHARED = {};
const states = new WeakMap<object, Map<string, unknown>>();

function kindOf(kind: string): TaskKind<{ id: string }, unknown, unknown, unknown> {
  if (!Object.hasOwn(taskKinds, kind)) {
    throw new InvariantError(`unknown task kind "${kind}"; registered: ${Object.keys(taskKinds).join(", ")}`);
  }
  return taskKinds[kind as TaskKindName] as unknown as TaskKind<{ id: string }, unknown, unknown, unknown>;
}

/** The prepared state of `kind` for `shared`, running its `init` on first use. */
export function stateFor(kind: string, shared: unknown): unknown {
  const key = typeof shared === "object" && shared !== null ? shared : NO_SHARED;
  let perKind = states.get(key);
  if (!perKind) states.set(key, (perKind = new Map()));
  if (!perKind.has(kind)) {
    const k = kindOf(kind);
    perKind.set(kind, k.init ? k.init(shared) : shared);
  }
  return perKind.get(kind);
}

/** Runs `task` with the handler registered as `kind`. */
export function runTask(kind: string, task: { id: string }, shared: unknown): unknown {
  return kindOf(kind).run(task, stateFor(kind, shared));
}
