import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { LOCK_NAME, releaseAllResultsDirLocks } from "../../src/results/lock.js";
import { openResultsDir } from "../../src/results/results-dir.js";
import { findLatestRun, hashInputs } from "../../src/results/run-id.js";
import { writeRunInfo } from "../../src/results/run-info.js";
import { TRIALS_FILE } from "../../src/results/trial-log.js";
import { NOW, runInfoAt } from "../helpers/run-info.js";

const base = mkdtempSync(join(tmpdir(), "hisim-results-"));
let k = 0;
const tmp = () => mkdtempSync(join(base, `t${k++}-`));
afterAll(() => {
  releaseAllResultsDirLocks();
  rmSync(base, { recursive: true, force: true });
});

describe("openResultsDir", () => {
  it("creates results/<run-id> for a fresh run", () => {
    const root = tmp();
    const d = openResultsDir({ name: "chat", inputs: { a: 1 }, root, now: NOW });
    expect(basename(d.path)).toBe(d.runId);
    expect(d.runId).toBe(`20261123-101500-chat-${hashInputs({ a: 1 })}`);
    expect(existsSync(d.path)).toBe(true);
    expect(d.resumed).toBe(false);
  });

  it("uses --out instead, and refuses a folder that already holds a run", () => {
    const out = join(tmp(), "my-run");
    const d = openResultsDir({ name: "chat", inputs: {}, out, now: NOW });
    expect(d.path).toBe(out);
    writeFileSync(join(out, TRIALS_FILE), "");
    expect(() => openResultsDir({ name: "chat", inputs: {}, out, now: NOW })).toThrow(UsageError);
    expect(() => openResultsDir({ name: "chat", inputs: {}, out, now: NOW })).toThrow(/--resume/);
  });

  it("resumes the latest run of the same inputs, keeping its run id", () => {
    const root = tmp();
    const inputs = { slo: "x", seed: 3 };
    const first = openResultsDir({ name: "chat", inputs, root, now: new Date(Date.UTC(2026, 0, 1)) });
    writeRunInfo(first.path, runInfoAt(first.runId, first.inputsHash));
    const second = openResultsDir({ name: "chat", inputs, root, now: new Date(Date.UTC(2026, 0, 2)) });
    writeRunInfo(second.path, runInfoAt(second.runId, second.inputsHash));
    const other = openResultsDir({ name: "chat", inputs: { slo: "y" }, root, now: new Date(Date.UTC(2026, 0, 3)) });
    writeRunInfo(other.path, runInfoAt(other.runId, other.inputsHash));
    expect(findLatestRun(root, "chat", first.inputsHash)).toBe(second.path);
    const r = openResultsDir({ name: "chat", inputs, root, resume: true, now: new Date(Date.UTC(2026, 0, 9)) });
    expect(r).toMatchObject({ path: second.path, runId: second.runId, inputsHash: second.inputsHash, resumed: true });
    expect(r.lock.dir).toBe(second.path);
  });

  it("refuses to resume with nothing to resume or with different inputs", () => {
    const root = tmp();
    expect(() => openResultsDir({ name: "chat", inputs: {}, root, resume: true })).toThrow(/no earlier run of these inputs/);
    const out = join(root, "x");
    mkdirSync(out);
    expect(() => openResultsDir({ name: "chat", inputs: {}, out, resume: true })).toThrow(/holds no run/);
    const d = openResultsDir({ name: "chat", inputs: { a: 1 }, out: join(root, "y"), now: NOW });
    writeRunInfo(d.path, runInfoAt(d.runId, d.inputsHash));
    expect(() => openResultsDir({ name: "chat", inputs: { a: 2 }, out: d.path, resume: true })).toThrow(/different inputs/);
  });

  it("removes temp files a killed atomic write left behind when resuming", () => {
    const d = openResultsDir({ name: "chat", inputs: {}, out: join(tmp(), "r"), now: NOW });
    writeRunInfo(d.path, runInfoAt(d.runId, d.inputsHash));
    writeFileSync(join(d.path, ".frontier.json.123.4.tmp"), "{ half");
    openResultsDir({ name: "chat", inputs: {}, out: d.path, resume: true });
    expect(existsSync(join(d.path, ".frontier.json.123.4.tmp"))).toBe(false);
  });
});

describe("openResultsDir locks the folder", () => {
  it("holds the lock from opening until the caller releases it", () => {
    const d = openResultsDir({ name: "chat", inputs: {}, out: join(tmp(), "r"), now: NOW });
    expect(existsSync(join(d.path, LOCK_NAME))).toBe(true);
    d.lock.release();
    expect(existsSync(join(d.path, LOCK_NAME))).toBe(false);
  });

  it("refuses --resume of a folder another live run is writing (exit 2), and removes none of its temp files", async () => {
    const d = openResultsDir({ name: "chat", inputs: {}, out: join(tmp(), "busy"), now: NOW });
    writeRunInfo(d.path, runInfoAt(d.runId, d.inputsHash));
    d.lock.release();
    const root = resolve(new URL("../..", import.meta.url).pathname);
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "test/results/fixtures/hold-lock.ts"), d.path], { cwd: root, stdio: ["ignore", "pipe", "ignore"] });
    try {
      await new Promise<void>((ok, fail) => {
        child.stdout!.on("data", (b: Buffer) => b.toString().includes("ready") && ok());
        child.on("exit", () => fail(new Error("the lock holder exited early")));
      });
      writeFileSync(join(d.path, ".frontier.json.999.1.tmp"), "{ being written");
      expect(() => openResultsDir({ name: "chat", inputs: {}, out: d.path, resume: true })).toThrow(UsageError);
      expect(() => openResultsDir({ name: "chat", inputs: {}, out: d.path, resume: true })).toThrow(/is locked by process \d+/);
      expect(existsSync(join(d.path, ".frontier.json.999.1.tmp"))).toBe(true);
    } finally {
      child.removeAllListeners("exit");
      await new Promise<void>((ok) => {
        child.on("exit", () => ok());
        child.kill("SIGKILL");
      });
    }
    // Killed without releasing: --resume takes the folder over at once.
    const r = openResultsDir({ name: "chat", inputs: {}, out: d.path, resume: true });
    expect(r.resumed).toBe(true);
    r.lock.release();
  }, 30_000);
});
