import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OUTPUT_FILES, writeRunOutputs } from "../../src/report/write-outputs.js";
import type { FrontierFile } from "../../src/results/frontier-file.js";
import { TARGETS } from "../search/make-points.js";
import { testTempDir } from "../helpers/tmp.js";
import { sampleFile } from "./sample-file.js";

const tmp = testTempDir("hisim-out-");

describe("writeRunOutputs", () => {
  it("writes frontier.json exactly as the FrontierFile, plus CSV, Markdown and HTML", () => {
    const dir = tmp.sub();
    const file = sampleFile();
    writeRunOutputs(dir, file, { targets: TARGETS });
    expect(readdirSync(dir).sort()).toEqual([...OUTPUT_FILES].sort());
    const back = JSON.parse(readFileSync(join(dir, "frontier.json"), "utf8")) as FrontierFile;
    expect(back).toEqual(file);
    expect(readFileSync(join(dir, "frontier.csv"), "utf8").split("\n")[0]).toMatch(/^id,stage,gpu,/);
    expect(readFileSync(join(dir, "summary.md"), "utf8")).toMatch(/^# hisim-tune search/);
    expect(readFileSync(join(dir, "report.html"), "utf8")).toMatch(/^<!doctype html>/);
  });
});
