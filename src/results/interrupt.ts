/**
 * What a run does when it is stopped by a signal (Ctrl-C, `kill`, a CI timeout): every results folder
 * this process is writing gets `run.json` status "interrupted" and its lock released, so the folder
 * stays a valid run that `--resume` continues (trials.jsonl already holds every finished trial).
 */
import { heldResultsDirs, releaseAllResultsDirLocks } from "./lock.js";
import { readRunInfo, writeRunInfo } from "./run-info.js";

/**
 * Marks the runs of every locked results folder interrupted and releases the locks.
 * Never throws: it runs on the way out of a signal handler.
 * @returns the folders marked
 */
export function interruptRuns(signal: string, now = new Date()): string[] {
  const marked: string[] = [];
  for (const dir of heldResultsDirs()) {
    try {
      const info = readRunInfo(dir);
      if (info && info.status === "running") {
        writeRunInfo(dir, { ...info, status: "interrupted", interruptedAt: now.toISOString(), signal });
        marked.push(dir);
      }
    } catch {
      // A folder we cannot update keeps status "running"; --resume continues it all the same.
    }
  }
  try {
    releaseAllResultsDirLocks();
  } catch {
    // Exiting anyway; a lock left behind names this (dead) process and is taken over at once.
  }
  return marked;
}
