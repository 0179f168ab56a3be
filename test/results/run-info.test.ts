import { describe, expect, it } from "vitest";
import { readRunInfo, toolVersions, writeRunInfo, type RunInfo } from "../../src/results/run-info.js";
import { testTempDir } from "../helpers/tmp.js";

const tmp = testTempDir("hisim-results-").sub;
const NOW = new Date(Date.UTC(2026, 10, 23, 10, 15, 0));

function runInfo(runId: string, inputsHash: string): RunInfo {
  return {
    runId, inputsHash, status: "running", startedAt: NOW.toISOString(), seed: 1, flags: {}, inputs: {},
    versions: toolVersions(), timings: {},
  };
}

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
