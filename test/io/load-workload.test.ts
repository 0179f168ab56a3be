import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadWorkload } from "../../src/inputs/load.js";
import { buildRequestTable } from "../../src/io/load-workload.js";
import { testTempDir } from "../helpers/tmp.js";

const fixtures = fileURLToPath(new URL("../fixtures/traces/", import.meta.url));
const dir = testTempDir("hisim-workload-").path;

describe("buildRequestTable", () => {
  it("reads a trace relative to baseDir with timeScale and limit", async () => {
    const t = await buildRequestTable({ kind: "trace", path: "mooncake-conversation-head1000.jsonl", timeScale: 2, limit: 100 }, fixtures, 1);
    expect(t.count).toBe(100);
    expect(t.blockSize).toBe(512);
    expect(t.arrivalUs[99]).toBe(2 * 33_000_000); // line 100 of the slice is at 33 000 ms
  });

  it("resamples empirical lengths from a trace file, each file read once", async () => {
    const t = await buildRequestTable({
      kind: "synthetic", requests: 2000, arrival: { process: "constant", ratePerS: 10 },
      inputTokens: { empirical: "vidur-small.csv" }, outputTokens: { empirical: "vidur-small.csv" },
    }, fixtures, 7);
    expect(new Set(t.inputTokens)).toEqual(new Set([100, 50, 200]));
    expect(new Set(t.outputTokens)).toEqual(new Set([20, 5, 10]));
    expect(t.arrivalUs[1]).toBe(100_000);
  });

  it("builds closed-loop and synthetic workloads deterministically from a workload file", async () => {
    const p = join(dir, "w.json");
    writeFileSync(p, JSON.stringify({ kind: "closed-loop", concurrency: 4, requests: 40, inputTokens: { uniform: [10, 100] }, outputTokens: { fixed: 8 } }));
    const spec = loadWorkload(p);
    const a = await buildRequestTable(spec, dirname(p), 3);
    const b = await buildRequestTable(spec, dirname(p), 3);
    expect(a.count).toBe(40);
    expect(a.after[4]).toBe(0);
    expect(Array.from(a.inputTokens)).toEqual(Array.from(b.inputTokens));
  });

  it("a missing trace is an input error naming the resolved path", async () => {
    await expect(buildRequestTable({ kind: "trace", path: "missing.jsonl" }, dir, 1)).rejects.toThrow(/missing\.jsonl: trace file does not exist/);
  });
});
