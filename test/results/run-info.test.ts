import { describe, expect, it } from "vitest";
import { readRunInfo, writeRunInfo } from "../../src/results/run-info.js";
import { runInfoAt } from "../helpers/run-info.js";
import { testTempDir } from "../helpers/tmp.js";

const tmp = testTempDir("hisim-results-").sub;

describe("run.json", () => {
  it("round-trips and records versions", () => {
    const d = tmp();
    const info = runInfoAt("id", "abcdef");
    writeRunInfo(d, info);
    expect(readRunInfo(d)).toEqual(info);
    expect(info.versions.node).toBe(process.version);
    expect(info.versions.hisimTune).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.versions.mathjs).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.versions.piscina).toMatch(/^\d+\.\d+\.\d+/);
    expect(readRunInfo(tmp())).toBeUndefined();
  });
});
