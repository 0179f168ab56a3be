/**
 * The results-folder lock: one process at a time may write a run folder (a second `--resume` of the
 * same run would interleave trials.jsonl). Placeholder: `lockResultsDir` takes no lock yet and
 * always succeeds; a later change backs it with proper-lockfile (stale locks of killed runs expire,
 * so `--resume` after a SIGKILL keeps working). Callers already hold and release it where the real
 * lock must be held, so that change stays inside this file.
 */

/** A held lock on a results folder. */
export interface ResultsDirLock {
  /** The locked folder. */
  readonly dir: string;
  /** Releases the lock; calling it twice is harmless. */
  release(): void;
}

/** Locks `dir` for this process (placeholder: nothing is locked yet). */
export function lockResultsDir(dir: string): ResultsDirLock {
  return { dir, release: () => undefined };
}
