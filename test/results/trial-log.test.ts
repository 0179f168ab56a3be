import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../../src/errors.js";
import { readTrials, TrialLog, TRIALS_FILE } from "../../src/results/trial-log.js";
import { runAndKill } from "../io/kill-child.js";
import { testTempDir } from "../helpers/tmp.js";

const tmp = testTempDir("hisim-results-").sub;

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
