/**
 * The results-folder lock: one process at a time may write a run folder (a second `--resume` of the
 * same run would interleave trials.jsonl). proper-lockfile holds it: an atomic mkdir of
 * `<dir>/.hisim.lock`, whose mtime the holder refreshes while it runs; a lock nobody refreshed for
 * STALE_MS is stale and taken over (a run killed on another host of a shared file system). A run
 * killed on this host (SIGKILL, OOM) is recognised at once: the lock names its owner (pid, host),
 * and an owner process that no longer exists holds nothing, so `--resume` right after a kill works.
 * The lock is re-entrant within a process (the search and its results folder both take it).
 */
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import lockfile from "proper-lockfile";
import { RuntimeFailure, UsageError } from "../errors.js";

/** The lock folder inside a results folder. */
export const LOCK_NAME = ".hisim.lock";
const OWNER_FILE = "owner.json";
/** A lock whose holder has not refreshed it for this long is stale (proper-lockfile's mtime rule). */
const STALE_MS = 5 * 60_000;
/** How often the holder refreshes it; trials run between refreshes, so well below STALE_MS. */
const UPDATE_MS = 10_000;

/** A held lock on a results folder. */
export interface ResultsDirLock {
  /** The locked folder. */
  readonly dir: string;
  /** Releases the lock; calling it twice is harmless. */
  release(): void;
}

interface Owner {
  pid: number;
  hostname: string;
  startedAt: string;
}

interface Held {
  count: number;
  release: () => void;
  /** Set when proper-lockfile found the lock taken over (it went stale while we held it). */
  compromised?: Error;
}

/** Locks this process holds, by absolute folder path. */
const held = new Map<string, Held>();

function readOwner(lockDir: string): Owner | undefined {
  try {
    const o = JSON.parse(readFileSync(join(lockDir, OWNER_FILE), "utf8")) as Owner;
    return typeof o.pid === "number" && typeof o.hostname === "string" ? o : undefined;
  } catch {
    return undefined;
  }
}

/** Whether process `pid` exists on this host (signal 0 tests without sending anything). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Lock timing; tests shorten it (proper-lockfile's minimums: stale 2 s, update 1 s). */
export interface LockTiming {
  staleMs: number;
  updateMs: number;
}

function acquire(dir: string, h: Held, t: LockTiming): () => void {
  return lockfile.lockSync(dir, {
    lockfilePath: join(dir, LOCK_NAME),
    realpath: false,
    stale: t.staleMs,
    update: t.updateMs,
    // The default throws from a timer, which would crash the run; remember it and say so on release.
    onCompromised: (e: Error) => {
      h.compromised = e;
    },
  });
}

/**
 * Locks results folder `dir` (which must exist) for this process.
 * @throws UsageError (exit 2) when another live run holds it
 */
export function lockResultsDir(dir: string, timing: LockTiming = { staleMs: STALE_MS, updateMs: UPDATE_MS }): ResultsDirLock {
  const abs = resolve(dir);
  const mine = held.get(abs);
  if (mine) {
    mine.count++;
    return handle(abs);
  }
  const lockDir = join(abs, LOCK_NAME);
  const h: Held = { count: 1, release: () => undefined };
  try {
    h.release = acquire(abs, h, timing);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ELOCKED") throw new RuntimeFailure(`cannot lock ${abs}: ${(e as Error).message}`);
    const owner = readOwner(lockDir);
    if (owner && owner.hostname === hostname() && owner.pid !== process.pid && !processAlive(owner.pid)) {
      // Its holder was killed without releasing it (SIGKILL): stale now, not in STALE_MS.
      rmSync(lockDir, { recursive: true, force: true });
      try {
        h.release = acquire(abs, h, timing);
      } catch {
        throw busy(abs, readOwner(lockDir));
      }
    } else {
      throw busy(abs, owner);
    }
  }
  const owner: Owner = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString() };
  // Adding a file changes the lock folder's mtime, which proper-lockfile reads as someone else
  // having touched its lock (compromised) at its next refresh: put the mtime back.
  const before = statSync(lockDir);
  writeFileSync(join(lockDir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
  utimesSync(lockDir, before.atime, before.mtime);
  held.set(abs, h);
  return handle(abs);
}

function busy(dir: string, owner: Owner | undefined): UsageError {
  const who = owner ? `process ${owner.pid} on ${owner.hostname} (since ${owner.startedAt})` : "another process";
  return new UsageError(
    `${dir} is locked by ${who}, which is writing it; wait for that run to finish or stop it, then use --resume ` +
      `(a lock left by a run killed on another host expires after ${STALE_MS / 60_000} minutes; ${join(dir, LOCK_NAME)})`,
  );
}

function handle(abs: string): ResultsDirLock {
  let released = false;
  return {
    dir: abs,
    release: () => {
      if (released) return;
      released = true;
      releaseOne(abs);
    },
  };
}

function releaseOne(abs: string): void {
  const h = held.get(abs);
  if (!h) return;
  if (--h.count > 0) return;
  held.delete(abs);
  const lockDir = join(abs, LOCK_NAME);
  const owner = readOwner(lockDir);
  // Taken over by another process (it went stale while we held it): not ours to remove.
  if (!owner || owner.pid !== process.pid || owner.hostname !== hostname()) return;
  // proper-lockfile removes the lock folder with rmdir, so the owner file goes first.
  rmSync(join(lockDir, OWNER_FILE), { force: true });
  let removed = false;
  if (!h.compromised) {
    try {
      h.release();
      removed = true;
    } catch {
      // Removed below.
    }
  }
  if (!removed) rmSync(lockDir, { recursive: true, force: true });
}

/** The folders whose lock this process holds (the signal handler marks their runs interrupted). */
export function heldResultsDirs(): string[] {
  return [...held.keys()];
}

/** Releases every lock this process holds (before exiting on a signal). */
export function releaseAllResultsDirLocks(): void {
  for (const abs of [...held.keys()]) {
    const h = held.get(abs)!;
    h.count = 1;
    releaseOne(abs);
  }
}
