/** The results-folder lock: one writer at a time, and a killed writer's lock never blocks for long. */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { heldResultsDirs, LOCK_NAME, lockResultsDir } from "../../src/results/lock.js";

const root = resolve(new URL("../..", import.meta.url).pathname);
const base = mkdtempSync(join(tmpdir(), "hisim-lock-"));
let k = 0;
const tmp = () => mkdtempSync(join(base, `d${k++}-`));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Starts a child process that locks `dir` and holds it; resolves once it holds it. */
function holder(dir: string): Promise<ChildProcess> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "test/results/fixtures/hold-lock.ts"), dir], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && ok(child));
    child.on("exit", (code) => fail(new Error(`holder exited (${code}) before locking: ${err}`)));
  });
}

const killed = (child: ChildProcess, signal: NodeJS.Signals) =>
  new Promise<void>((ok) => {
    child.removeAllListeners("exit");
    child.on("exit", () => ok());
    child.kill(signal);
  });

describe("lockResultsDir", () => {
  it("names the folder, records its owner, and releases (twice is harmless)", () => {
    const d = tmp();
    const lock = lockResultsDir(d);
    expect(lock.dir).toBe(d);
    const owner = JSON.parse(readFileSync(join(d, LOCK_NAME, "owner.json"), "utf8"));
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(heldResultsDirs()).toContain(d);
    lock.release();
    lock.release();
    expect(existsSync(join(d, LOCK_NAME))).toBe(false);
    expect(heldResultsDirs()).not.toContain(d);
  });

  it("stays ours while held past its refresh interval (writing the owner file does not look like a takeover)", async () => {
    const d = tmp();
    const lock = lockResultsDir(d, { staleMs: 2000, updateMs: 1000 });
    const lockDir = join(d, LOCK_NAME);
    const first = statSync(lockDir).mtimeMs;
    await new Promise((ok) => setTimeout(ok, 2600));
    // proper-lockfile refreshed the mtime (it stops refreshing a lock it thinks was taken over).
    expect(statSync(lockDir).mtimeMs).toBeGreaterThan(first);
    expect(JSON.parse(readFileSync(join(lockDir, "owner.json"), "utf8")).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lockDir)).toBe(false);
  }, 20_000);

  it("is re-entrant within a process: the folder stays locked until the last holder releases", () => {
    const d = tmp();
    const a = lockResultsDir(d);
    const b = lockResultsDir(d);
    a.release();
    expect(existsSync(join(d, LOCK_NAME))).toBe(true);
    b.release();
    expect(existsSync(join(d, LOCK_NAME))).toBe(false);
  });

  it("refuses a folder another live process holds (a usage error naming the holder), and takes it at once after that process is SIGKILLed", async () => {
    const d = tmp();
    const child = await holder(d);
    try {
      let err: unknown;
      try {
        lockResultsDir(d);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain(`locked by process ${child.pid} on ${hostname()}`);
      expect((err as Error).message).toMatch(/--resume/);
    } finally {
      await killed(child, "SIGKILL");
    }
    // The lock folder is still there, naming a process that no longer exists.
    expect(existsSync(join(d, LOCK_NAME))).toBe(true);
    const lock = lockResultsDir(d);
    expect(JSON.parse(readFileSync(join(d, LOCK_NAME, "owner.json"), "utf8")).pid).toBe(process.pid);
    lock.release();
  }, 30_000);
});
