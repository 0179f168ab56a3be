import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { testTempDir } from "../helpers/tmp.js";

const dir = testTempDir("hisim-simulate-").path;
const file = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
};
const dep = file("dep.json", { model: "llama-3.1-8b", gpu: "h100_sxm", tp: 1 });
const closedLoop = file("cl.json", { kind: "closed-loop", concurrency: 4, requests: 24, inputTokens: { fixed: 256 }, outputTokens: { fixed: 16 } });

describe("simulate", () => {
  it("prints the simulate --json summary and writes --out atomically", async () => {
    const out = join(dir, "out.json");
    const r = await cli("simulate", "--deployment", dep, "--workload", closedLoop, "--json", "--out", out);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    for (const k of ["requests", "completed", "simulatedS", "wallS", "throughputRps", "outputTokensPerS", "inputTokensPerS", "ttftMs", "tpotMs",
      "itlMs", "e2eMs", "prefixHitRate", "ioGb", "evictions", "perReplica", "costUsdPerHour", "usdPerMillionTokens"]) {
      expect(j).toHaveProperty(k);
    }
    expect(j.completed).toBe(24);
    expect(j.ttftMs).toEqual(expect.objectContaining({ mean: expect.any(Number), p50: expect.any(Number), p90: expect.any(Number), p99: expect.any(Number) }));
    const written = JSON.parse(readFileSync(out, "utf8"));
    expect({ ...written, wallS: 0 }).toEqual({ ...j, wallS: 0 });
  });

  it("prints a readable table without --json", async () => {
    const r = await cli("simulate", "--deployment", dep, "--workload", closedLoop);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/TTFT/);
    expect(r.stdout).toMatch(/requests completed\s*│\s*24 \/ 24/);
  });

  it("same inputs and seed give byte-identical JSON (wall time aside)", async () => {
    const a = JSON.parse((await cli("simulate", "--deployment", dep, "--workload", closedLoop, "--json", "--seed", "7")).stdout);
    const b = JSON.parse((await cli("simulate", "--deployment", dep, "--workload", closedLoop, "--json", "--seed", "7")).stdout);
    expect(JSON.stringify({ ...a, wallS: 0 })).toBe(JSON.stringify({ ...b, wallS: 0 }));
  });

  it.each([
    ["a missing trace", { kind: "trace", path: "nope.jsonl" }, /does not exist/],
    ["a zero rate", { kind: "synthetic", requests: 10, arrival: { process: "poisson", ratePerS: 0 }, inputTokens: { fixed: 10 }, outputTokens: { fixed: 10 } }, /\/arrival\/ratePerS/],
    ["an unknown workload kind", { kind: "poisson" }, /kind/],
  ])("rejects %s with exit 2", async (_what, wl, pattern) => {
    const w = file(`wl-${Math.random().toString(36).slice(2)}.json`, wl);
    const r = await cli("simulate", "--deployment", dep, "--workload", w);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("rejects an empty trace and a trace of the wrong format", async () => {
    const empty = file("empty.jsonl", "");
    const r1 = await cli("simulate", "--deployment", dep, "--workload", file("wl-empty.json", { kind: "trace", path: empty, format: "mooncake" }));
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/empty|no requests/i);
    const csv = file("bad.csv", "a,b,c\n1,2,3\n");
    const r2 = await cli("simulate", "--deployment", dep, "--workload", file("wl-bad.json", { kind: "trace", path: csv, format: "mooncake" }));
    expect(r2.code).toBe(2);
  });

  it("rejects a model that does not fit", async () => {
    const big = file("big.json", { model: "llama-3.1-70b", gpu: "l40s", tp: 1 });
    const r = await cli("simulate", "--deployment", big, "--workload", closedLoop);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not fit/);
    expect(r.stderr).toContain(big);
  });
});
