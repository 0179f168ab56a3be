import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bufferIo } from "../../src/cli/io.js";
import { traceHitCurveCommand, traceStatsCommand } from "../../src/cli/commands/trace.js";
import { cli } from "../helpers/cli.js";
import { testTempDir } from "../helpers/tmp.js";

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/traces/${name}`, import.meta.url));
const moon = fixture("mooncake-conversation-head1000.jsonl");
const dir = testTempDir("hisim-trace-cli-").path;

// JSON output is exercised through the command functions: the root program also declares --json,
// and commander gives it to the root unless positional options are enabled.
async function json(run: (io: ReturnType<typeof bufferIo>) => Promise<void>): Promise<unknown> {
  const io = bufferIo();
  await run(io);
  expect(io.stderr()).toBe("");
  return JSON.parse(io.stdout());
}

describe("trace stats", () => {
  it("prints a readable table", async () => {
    const r = await cli("trace", "stats", moon);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mooncake trace, 512-token blocks/);
    expect(r.stdout).toMatch(/requests\s+│\s+1,000/);
    expect(r.stdout).toMatch(/rate\s+│\s+3\.03 req\/s/);
    expect(r.stdout).toMatch(/unique blocks\s+│\s+21,514/);
    expect(r.stdout).toMatch(/prefix hit rate, unbounded \(tokens\)\s+│\s+0\.216/);
    expect(r.stdout).toMatch(/input\s+│\s+8430\s+│\s+28887\s+│\s+88274\s+│\s+13733\s+│\s+121924/);
  });

  it("JSON has counts, span, rate, percentiles, blocks, hit rates and sessions", async () => {
    const s = (await json((io) => traceStatsCommand(moon, { json: true }, io))) as Record<string, any>;
    expect(s.format).toBe("mooncake");
    expect(s.requests).toBe(1000);
    expect(s.spanS).toBe(330);
    expect(s.blockSize).toBe(512);
    expect(s.blocks).toBe(27305);
    expect(s.uniqueBlocks).toBe(21514);
    expect(s.prefixHitRate.token).toBeCloseTo(0.215742, 6);
    expect(s.prefixHitRate.block).toBeCloseTo(0.212086, 6);
    expect(s.outputTokens.p50).toBe(365);
    expect(s.sessions).toBeNull();
    expect(s.skippedRecords).toBe(0);
    const b = (await json((io) => traceStatsCommand(fixture("bailian-small.jsonl"), { json: true }, io))) as Record<string, any>;
    expect(b.sessions).toBe(3);
  });

  it("counts skipped failed records (BurstGPT)", async () => {
    const r = await cli("trace", "stats", fixture("burstgpt-small.csv"), "--format", "burstgpt");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/skipped \(failed\) records\s+│\s+1/);
  });

  it.each([
    ["missing file", ["trace", "stats", join(dir, "none.jsonl")], /none\.jsonl: trace file does not exist/],
    ["malformed line", ["trace", "stats", "BAD"], /bad\.jsonl: line 2: expected "input_length" to be a positive integer/],
    ["unknown format flag", ["trace", "stats", moon, "--format", "parquet"], /expected one of auto, mooncake/],
  ])("%s exits 2 with a message and no stack", async (_name, argv, pattern) => {
    const bad = join(dir, "bad.jsonl");
    writeFileSync(bad, '{"timestamp": 0, "input_length": 5, "output_length": 1, "hash_ids": [1]}\n{"timestamp": 1, "input_length": -5, "output_length": 1, "hash_ids": [1]}\n');
    const r = await cli(...argv.map((a) => (a === "BAD" ? bad : a)));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe("trace hit-curve", () => {
  it("prints every capacity in a table", async () => {
    const r = await cli("trace", "hit-curve", moon, "--capacities", "0,102400,3072000");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/unbounded\s+│\s+-\s+│\s+0\.216\s+│\s+0\.212/);
    expect(r.stdout).toMatch(/102,400\s+│\s+200\s+│\s+0\.037\s+│\s+0\.037/);
    expect(r.stdout).toMatch(/3,072,000\s+│\s+6,000\s+│\s+0\.128\s+│\s+0\.126/);
  });

  it("JSON is exactly { blockSize, points: [{ capacityTokens, tokenHitRate, blockHitRate }] }", async () => {
    const c = (await json((io) => traceHitCurveCommand(moon, { capacities: [0, 102400], json: true }, io))) as any;
    expect(Object.keys(c)).toEqual(["blockSize", "points"]);
    expect(c.blockSize).toBe(512);
    expect(c.points.map((p: any) => Object.keys(p))).toEqual([
      ["capacityTokens", "tokenHitRate", "blockHitRate"], ["capacityTokens", "tokenHitRate", "blockHitRate"],
    ]);
    // independent reference (Python LRU): 2962776 and 511488 hit tokens of 13732944
    expect(c.points[0].tokenHitRate).toBeCloseTo(2962776 / 13732944, 12);
    expect(c.points[1].tokenHitRate).toBeCloseTo(511488 / 13732944, 12);
  });

  it("re-blocks with --block-size and supports --policy lfu", async () => {
    const r = (await json((io) => traceHitCurveCommand(moon, { capacities: [0], blockSize: 1024, json: true }, io))) as any;
    expect(r.blockSize).toBe(1024);
    expect(r.points[0].blockHitRate).toBeLessThan(0.212086);
    const t = await cli("trace", "hit-curve", moon, "--capacities", "1024000", "--policy", "lfu", "--block-size", "1024");
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/1024-token blocks, lfu eviction/);
  });

  it("rejects a block size finer than the trace's with exit 2", async () => {
    const r = await cli("trace", "hit-curve", moon, "--capacities", "0", "--block-size", "256");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--block-size 256: .* is hashed in 512-token blocks; expected a multiple of 512/);
  });

  it("requires --capacities", async () => {
    const r = await cli("trace", "hit-curve", moon);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--capacities/);
  });
});
