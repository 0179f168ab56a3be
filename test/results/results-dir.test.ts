import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError, UsageError } from "../../src/errors.js";
import { canonicalJson, shortHash } from "../../src/results/content-hash.js";
import { openResultsDir } from "../../src/results/results-dir.js";
import { findLatestRun, hashInputs, makeRunId, RUN_ID_RE, slugify } from "../../src/results/run-id.js";
import { readRunInfo, type RunInfo, toolVersions, writeRunInfo } from "../../src/results/run-info.js";
import { readTrials, TrialLog, TRIALS_FILE } from "../../src/results/trial-log.js";
import { runAndKill } from "../io/kill-child.js";

const tmp = () => mkdtempSync(join(tmpdir(), "hisim-results-"));
const NOW = new Date(Date.UTC(2026, 10, 23, 10, 15, 0));

function runInfo(runId: string, inputsHash: string): RunInfo {
  return {
    runId, inputsHash, status: "running", startedAt: NOW.toISOString(), seed: 1, flags: {}, inputs: {},
    versions: toolVersions(), timings: {},
  };
}

describe("run ids", () => {
  it("is UTC timestamp, slug of the SLO name and 6 hex of the inputs' hash", () => {
    const id = makeRunId("Chat Qwen3-32B", "a1b2c3", NOW);
    expect(id).toBe("20261123-101500-chat-qwen3-32b-a1b2c3");
    expect(RUN_ID_RE.test(id)).toBe(true);
  });

  it("hashes canonical JSON: key order does not matter, values do", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}');
    expect(hashInputs({ a: 1, b: 2 })).toBe(hashInputs({ b: 2, a: 1 }));
    expect(hashInputs({ a: 1, b: 2 })).not.toBe(hashInputs({ a: 1, b: 3 }));
    expect(hashInputs({})).toMatch(/^[0-9a-f]{6}$/);
    // sha256("{}") = 44136fa3...
    expect(hashInputs({})).toBe("44136f");
    expect(shortHash({ b: [1], a: "x" })).toBe(shortHash({ a: "x", b: [1] }));
    expect(shortHash({})).toBe("44136fa355b3");
  });

  it("slugifies names", () => {
    expect(slugify("  Nightly / H100 vs H200!! ")).toBe("nightly-h100-vs-h200");
    expect(slugify("***")).toBe("run");
    expect(slugify("x".repeat(80))).toHaveLength(40);
  });
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
    writeRunInfo(first.path, runInfo(first.runId, first.inputsHash));
    const second = openResultsDir({ name: "chat", inputs, root, now: new Date(Date.UTC(2026, 0, 2)) });
    writeRunInfo(second.path, runInfo(second.runId, second.inputsHash));
    const other = openResultsDir({ name: "chat", inputs: { slo: "y" }, root, now: new Date(Date.UTC(2026, 0, 3)) });
    writeRunInfo(other.path, runInfo(other.runId, other.inputsHash));
    expect(findLatestRun(root, "chat", first.inputsHash)).toBe(second.path);
    const r = openResultsDir({ name: "chat", inputs, root, resume: true, now: new Date(Date.UTC(2026, 0, 9)) });
    expect(r).toEqual({ path: second.path, runId: second.runId, inputsHash: second.inputsHash, resumed: true });
  });

  it("refuses to resume with nothing to resume or with different inputs", () => {
    const root = tmp();
    expect(() => openResultsDir({ name: "chat", inputs: {}, root, resume: true })).toThrow(/no earlier run of these inputs/);
    const out = join(root, "x");
    mkdirSync(out);
    expect(() => openResultsDir({ name: "chat", inputs: {}, out, resume: true })).toThrow(/holds no run/);
    const d = openResultsDir({ name: "chat", inputs: { a: 1 }, out: join(root, "y"), now: NOW });
    writeRunInfo(d.path, runInfo(d.runId, d.inputsHash));
    expect(() => openResultsDir({ name: "chat", inputs: { a: 2 }, out: d.path, resume: true })).toThrow(/different inputs/);
  });

  it("removes temp files a killed atomic write left behind when resuming", () => {
    const d = openResultsDir({ name: "chat", inputs: {}, out: join(tmp(), "r"), now: NOW });
    writeRunInfo(d.path, runInfo(d.runId, d.inputsHash));
    writeFileSync(join(d.path, ".frontier.json.123.4.tmp"), "{ half");
    openResultsDir({ name: "chat", inputs: {}, out: d.path, resume: true });
    expect(existsSync(join(d.path, ".frontier.json.123.4.tmp"))).toBe(false);
  });
});

describe("run.json", () => {
  it("round-trips and records versions", () => {
    const d = tmp();
    const info = runInfo("id", "abcdef");
    writeRunInfo(d, info);
    expect(readRunInfo(d)).toEqual(info);
    expect(info.versions.node).toBe(process.version);
    expect(info.versions.hisimTune).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.versions.mathjs).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.versions.piscina).toMatch(/^\d+\.\d+\.\d+/);
    expect(readRunInfo(tmp())).toBeUndefined();
  });
});

describe("trials.jsonl", () => {
  it("appends one line per trial and reads them back in order", () => {
    const d = tmp();
    const log = TrialLog.open<{ id: string; v: number }>(d);
    log.append({ id: "a", v: 1 });
    log.append({ id: "b", v: 2 });
    log.close();
    expect(readFileSync(join(d, TRIALS_FILE), "utf8")).toBe('{"id":"a","v":1}\n{"id":"b","v":2}\n');
    expect(readTrials(d)).toEqual([{ id: "a", v: 1 }, { id: "b", v: 2 }]);
    expect(log.count).toBe(2);
  });

  it("reads nothing from a folder without trials", () => {
    expect(readTrials(tmp())).toEqual([]);
  });

  it("ignores a torn last line, and reopening cuts it off before appending", () => {
    const d = tmp();
    const f = join(d, TRIALS_FILE);
    writeFileSync(f, '{"id":"a"}\n{"id":"b"}\n{"id":"c","res');
    expect(readTrials(d).map((t) => t.id)).toEqual(["a", "b"]);
    const log = TrialLog.open(d);
    log.append({ id: "c" });
    log.close();
    expect(readFileSync(f, "utf8")).toBe('{"id":"a"}\n{"id":"b"}\n{"id":"c"}\n');
    expect(readTrials(d).map((t) => t.id)).toEqual(["a", "b", "c"]);
  });

  it("handles a file that is only a torn line", () => {
    const d = tmp();
    writeFileSync(join(d, TRIALS_FILE), '{"id":"a"');
    expect(readTrials(d)).toEqual([]);
    const log = TrialLog.open(d);
    log.append({ id: "z" });
    log.close();
    expect(readFileSync(join(d, TRIALS_FILE), "utf8")).toBe('{"id":"z"}\n');
  });

  it("rejects a corrupt line in the middle, naming the file and line", () => {
    const d = tmp();
    appendFileSync(join(d, TRIALS_FILE), '{"id":"a"}\nnot json\n{"id":"c"}\n');
    expect(() => readTrials(d)).toThrow(InputError);
    expect(() => readTrials(d)).toThrow(/trials\.jsonl: line 2: not valid JSON/);
    writeFileSync(join(d, TRIALS_FILE), '{"id":"a"}\n{"noid":1}\n');
    expect(() => readTrials(d)).toThrow(/line 2: expected an object with a string id/);
  });

  it("a run killed while appending keeps every finished trial", async () => {
    const d = tmp();
    await runAndKill("test/results/fixtures/append-forever.ts", [d], 100);
    const trials = readTrials<{ id: string; i: number; pad: string }>(d);
    expect(trials.length).toBeGreaterThan(20);
    trials.forEach((t, i) => {
      expect(t.id).toBe(`trial-${i}`);
      expect(t.pad).toHaveLength(3000);
    });
    // Continuing appends after the last complete line.
    const log = TrialLog.open(d);
    log.append({ id: "resumed" });
    log.close();
    const again = readTrials(d);
    expect(again.length).toBe(trials.length + 1);
    expect(again[again.length - 1].id).toBe("resumed");
  }, 30_000);
});
