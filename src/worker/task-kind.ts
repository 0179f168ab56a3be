/**
 * A kind of task the worker pool runs: a pure function of plain data. `init` runs once per thread
 * (and once per inline executor) with the pool's shared data, e.g. to wrap a workload table that
 * arrived as typed arrays; `run` then gets each task with that prepared state.
 */
export interface TaskKind<TTask extends { id: string }, TResult, TShared = unknown, TState = TShared> {
  init?: (shared: TShared) => TState;
  run: (task: TTask, state: TState) => TResult;
}

/** Declares a task kind with its types inferred (an identity function). */
export function defineTaskKind<TTask extends { id: string }, TResult, TShared = unknown, TState = TShared>(
  kind: TaskKind<TTask, TResult, TShared, TState>,
): TaskKind<TTask, TResult, TShared, TState> {
  return kind;
}
