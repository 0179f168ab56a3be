import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../src/errors.js";
import { forEachLine } from "../../../src/io/traces/line-reader.js";
import { readTrace } from "../../../src/io/traces/read-trace.js";
import { parseAzureTimestampUs } from "../../../src/io/traces/azure.js";
import { lruReuseProfile } from "../../../src/sim/cache/hit-curve.js";
import { promptBlocks, type RequestTable } from "../../../src/sim/workload/request-table.js";
import { traceStats } from "../../../src/sim/workload/trace-stats.js";
import { chainViolations } from "../../sim/workload/helpers.js";
import { testTempDir } from "../../helpers/tmp.js";

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/traces/${name}`, import.meta.url));
const dir = testTempDir("hisim-traces-").path;
function file(name: string, content: string): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

function blocksOf(t: RequestTable, i: number): number[] {
  return Array.from(t.hashIds.subarray(t.hashStart[i], t.hashStart[i + 1]));
}

async function inputError(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(2);
    return (e as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("trace formats", () => {
  it("Mooncake JSONL: ms timestamps, 512-token chained blocks (first 1000 requests of the conversation trace)", async () => {
    const r = await readTrace(fixture("mooncake-conversation-head1000.jsonl"));
    expect(r.format).toBe("mooncake");
    const t = r.table;
    expect(t.count).toBe(1000);
    expect(t.blockSize).toBe(512);
    expect(t.arrivalUs[0]).toBe(0);
    expect(t.arrivalUs[999]).toBe(330_000_000);
    expect(t.inputTokens[0]).toBe(6758);
    expect(t.outputTokens[0]).toBe(500);
    // line 2 is [0, 14, 15, ...]: shares block 0 with line 1 only
    expect(blocksOf(t, 1)[0]).toBe(blocksOf(t, 0)[0]);
    expect(blocksOf(t, 1)[1]).not.toBe(blocksOf(t, 0)[1]);
    for (let i = 0; i < t.count; i++) expect(promptBlocks(t, i)).toBe(Math.ceil(t.inputTokens[i] / 512));
    expect(chainViolations(t)).toEqual([]);
    // independent numbers (Python over the same lines): p50/p90/p99/mean/max, blocks, unique blocks
    const s = traceStats(t);
    expect(s.inputTokens.p50).toBe(8430);
    expect(s.inputTokens.p90).toBeCloseTo(28887, 6);
    expect(s.inputTokens.p99).toBeCloseTo(88274.09, 6);
    expect(s.inputTokens.mean).toBeCloseTo(13732.944, 9);
    expect(s.inputTokens.max).toBe(121924);
    expect(s.outputTokens.p90).toBeCloseTo(599.1, 9);
    expect(s.spanS).toBe(330);
    expect(s.rateRps).toBeCloseTo(1000 / 330, 12);
    expect(s.blocks).toBe(27305);
    expect(s.uniqueBlocks).toBe(21514);
    expect(s.prefixHitRate.token).toBeCloseTo(2962776 / 13732944, 12);
    expect(s.prefixHitRate.block).toBeCloseTo(5791 / 27305, 12);
    expect(s.sessions).toBeNull();
  });

  it("Qwen-Bailian JSONL: per-block hashes chained, sessions from parent_chat_id, unsorted file sorted stably", async () => {
    const r = await readTrace(fixture("bailian-small.jsonl"));
    expect(r.format).toBe("bailian");
    const t = r.table;
    expect(t.blockSize).toBe(16);
    // file order 100 (0.5 s), 101 (1.0), 102 (3.0), 104 (2.0), 105 (4.0) -> sorted 100, 101, 104, 102, 105
    expect(Array.from(t.arrivalUs)).toEqual([0, 0.5e6, 1.5e6, 2.5e6, 3.5e6]);
    expect(Array.from(t.inputTokens)).toEqual([40, 20, 33, 70, 36]);
    expect(Array.from(t.outputTokens)).toEqual([10, 5, 4, 8, 6]);
    expect(Array.from(t.sessionId)).toEqual([0, 1, 2, 0, 1]);
    const [c100, c101, c104, c102, c105] = [0, 1, 2, 3, 4].map((i) => blocksOf(t, i));
    expect(c102.slice(0, 3)).toEqual(c100);
    expect(c104.slice(0, 2)).toEqual(c100.slice(0, 2));
    expect(c104[2]).not.toBe(c100[2]);
    expect(c101[1]).not.toBe(c100[1]); // raw 2 after raw 9 is not raw 2 after raw 1
    expect(c105[0]).toBe(c101[0]);
    expect(c105[1]).not.toBe(c100[2]); // raw 3 after 9 differs from raw 3 after (1, 2)
    expect(chainViolations(t)).toEqual([]);
    // hand-computed: hits 104: 2 blocks (32 tokens), 102: 3 (48), 105: 1 (16) of 199 tokens, 16 blocks
    const p = lruReuseProfile(t).point(0);
    expect(p.tokenHitRate).toBeCloseTo(96 / 199, 12);
    expect(p.blockHitRate).toBeCloseTo(6 / 16, 12);
    expect(traceStats(t).sessions).toBe(3);
  });

  it("HiSim JSONL: seconds, input_length or input_ids (16-token blocks hashed from the tokens)", async () => {
    const r = await readTrace(fixture("hisim-small.jsonl"));
    expect(r.format).toBe("hisim");
    const t = r.table;
    expect(Array.from(t.arrivalUs)).toEqual([0, 250_000, 1_000_000]);
    expect(Array.from(t.inputTokens)).toEqual([20, 32, 18]);
    expect(Array.from(t.outputTokens)).toEqual([3, 4, 2]);
    expect(blocksOf(t, 2)[0]).toBe(blocksOf(t, 1)[0]);
    expect(blocksOf(t, 2)[1]).not.toBe(blocksOf(t, 1)[1]);
    expect(new Set([...blocksOf(t, 0), ...blocksOf(t, 1)]).size).toBe(4);
    const p = lruReuseProfile(t).point(0);
    expect(p.tokenHitRate).toBeCloseTo(16 / 70, 12);
    expect(p.blockHitRate).toBeCloseTo(1 / 6, 12);
  });

  it("Azure CSV: datetimes relative to the first request, no reuse (first 60 rows of the conv trace)", async () => {
    const r = await readTrace(fixture("azure-conv-head.csv"));
    expect(r.format).toBe("azure");
    const t = r.table;
    expect(t.count).toBe(60);
    expect(t.arrivalUs[0]).toBe(0);
    expect(t.arrivalUs[1]).toBeCloseTo(4_314_579, 3); // 18:15:50.9951690 - 18:15:46.6805900
    expect(t.arrivalUs[59]).toBeCloseTo(30_181_499, 3);
    expect(t.inputTokens[1]).toBe(396);
    expect(t.outputTokens[1]).toBe(109);
    expect(t.inputTokens.reduce((a, b) => a + b, 0)).toBe(43328);
    expect(t.outputTokens.reduce((a, b) => a + b, 0)).toBe(7301);
    expect(new Set(t.hashIds).size).toBe(t.hashIds.length);
    expect(lruReuseProfile(t).point(0).tokenHitRate).toBe(0);
  });

  it("parses Azure datetimes with 7 fractional digits and an optional offset", () => {
    expect(parseAzureTimestampUs("2023-11-16 18:15:46.6805900")).toBeCloseTo(Date.UTC(2023, 10, 16, 18, 15, 46) * 1e3 + 680590, 1);
    expect(parseAzureTimestampUs("2024-05-10 00:00:00.009930+00:00")).toBeCloseTo(Date.UTC(2024, 4, 10) * 1e3 + 9930, 1);
    expect(parseAzureTimestampUs("yesterday")).toBeNaN();
  });

  it("Vidur CSV: seconds, extra columns ignored, sorted", async () => {
    const r = await readTrace(fixture("vidur-small.csv"));
    expect(r.format).toBe("vidur");
    expect(Array.from(r.table.arrivalUs)).toEqual([0, 250_000, 500_000]);
    expect(Array.from(r.table.inputTokens)).toEqual([100, 50, 200]);
    expect(Array.from(r.table.outputTokens)).toEqual([20, 5, 10]);
  });

  it("BurstGPT CSV: failed rows (0 response tokens) skipped and counted", async () => {
    const r = await readTrace(fixture("burstgpt-small.csv"));
    expect(r.format).toBe("burstgpt");
    expect(r.skipped).toBe(1);
    expect(Array.from(r.table.arrivalUs)).toEqual([0, 113e6, 135e6]);
    expect(Array.from(r.table.inputTokens)).toEqual([472, 417, 1360]);
    expect(Array.from(r.table.outputTokens)).toEqual([18, 276, 1]);
    expect(Array.from(r.table.sessionId)).toEqual([-1, -1, -1]);
  });

  it("BurstGPT CSV with Session ID: sessions kept, blank = unknown", async () => {
    const r = await readTrace(fixture("burstgpt-sessions.csv"));
    expect(r.skipped).toBe(1);
    expect(Array.from(r.table.sessionId)).toEqual([0, -1, 0, 1]);
    expect(Array.from(r.table.arrivalUs)).toEqual([0, 1e6, 2.5e6, 3.5e6]);
    expect(traceStats(r.table).sessions).toBe(2);
  });
});

describe("auto-detection", () => {
  it.each([
    ["mooncake-conversation-head1000.jsonl", "mooncake"],
    ["bailian-small.jsonl", "bailian"],
    ["hisim-small.jsonl", "hisim"],
    ["azure-conv-head.csv", "azure"],
    ["vidur-small.csv", "vidur"],
    ["burstgpt-small.csv", "burstgpt"],
  ])("%s is %s", async (name, format) => {
    expect((await readTrace(fixture(name), { format: "auto" })).format).toBe(format);
  });

  it("looks at the first record when the extension says nothing", async () => {
    const p = file("trace.txt", '{"timestamp": 0, "input_length": 10, "output_length": 2, "hash_ids": [1]}\n');
    expect((await readTrace(p)).format).toBe("mooncake");
    const q = file("trace.log", "arrived_at,num_prefill_tokens,num_decode_tokens\n1,2,3\n");
    expect((await readTrace(q)).format).toBe("vidur");
  });

  it("an explicit format overrides detection", async () => {
    // timestamps without hash_ids: read as HiSim seconds when told so
    const p = file("plain.jsonl", '{"timestamp": 2, "input_length": 10, "output_length": 2}\n{"timestamp": 3, "input_length": 10, "output_length": 2}\n');
    expect(Array.from((await readTrace(p, { format: "hisim" })).table.arrivalUs)).toEqual([0, 1e6]);
    expect(Array.from((await readTrace(p, { format: "mooncake" })).table.arrivalUs)).toEqual([0, 1e3]);
  });
});

describe("timeScale and limit", () => {
  it("timeScale multiplies arrival times (0.5 = twice as fast)", async () => {
    const t = (await readTrace(fixture("mooncake-conversation-head1000.jsonl"), { timeScale: 0.5 })).table;
    expect(t.arrivalUs[999]).toBe(165_000_000);
  });

  it("limit keeps the first N records of the file (before sorting)", async () => {
    const t = (await readTrace(fixture("mooncake-conversation-head1000.jsonl"), { limit: 10 })).table;
    expect(t.count).toBe(10);
    expect(t.hashStart[10]).toBe(t.hashIds.length);
    const v = (await readTrace(fixture("vidur-small.csv"), { limit: 2 })).table;
    expect(Array.from(v.inputTokens)).toEqual([100, 200]);
    const b = (await readTrace(fixture("burstgpt-small.csv"), { limit: 2 })).table;
    expect(Array.from(b.inputTokens)).toEqual([472, 417]); // limit counts kept requests
  });
});

describe("errors (InputError, exit 2, naming file and line)", () => {
  const moon = (o: Record<string, unknown>): string => JSON.stringify({ timestamp: 0, input_length: 600, output_length: 5, hash_ids: [1, 2], ...o });

  it.each([
    ["bad JSON", [moon({}), moon({}), "{not json"].join("\n"), /line 3: expected one JSON object per line/],
    ["missing field", [moon({}), JSON.stringify({ timestamp: 1, input_length: 5, hash_ids: [1] })].join("\n"), /line 2: expected "output_length" to be a positive integer \(tokens\), got nothing/],
    ["zero input", [moon({ input_length: 0 })].join("\n"), /line 1: expected "input_length" to be a positive integer \(tokens\), got 0/],
    ["fractional length", [moon({}), moon({ output_length: 2.5 })].join("\n"), /line 2: expected "output_length" to be a positive integer/],
    ["bad hash", [moon({ hash_ids: [1, "x"] })].join("\n"), /line 1: expected "hash_ids" to be an array of integers, got "x" at index 1/],
    ["bad timestamp", [moon({}), moon({ timestamp: "soon" })].join("\n"), /line 2: expected "timestamp" to be a number, got "soon"/],
    ["array line", ["[1, 2]"].join("\n"), /line 1: (cannot detect|expected a JSON object)/],
  ])("%s", async (name, content, pattern) => {
    const p = file(`err-${name.replace(/\W+/g, "-")}.jsonl`, `${content}\n`);
    const msg = await inputError(readTrace(p));
    expect(msg).toContain(p);
    expect(msg).toMatch(pattern);
  });

  it("missing file", async () => {
    const msg = await inputError(readTrace(join(dir, "nope.jsonl")));
    expect(msg).toMatch(/nope\.jsonl: trace file does not exist/);
  });

  it("empty trace and header-only CSV", async () => {
    expect(await inputError(readTrace(file("empty.jsonl", "\n\n")))).toMatch(/expected at least one request, found none/);
    expect(await inputError(readTrace(file("hdr.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n")))).toMatch(/found none/);
    expect(await inputError(readTrace(file("fail.csv", "Timestamp,Model,Request tokens,Response tokens\n1,ChatGPT,10,0\n")))).toMatch(/all 1 records are failed requests/);
  });

  it("undetectable and ambiguous formats ask for --format", async () => {
    expect(await inputError(readTrace(file("x.csv", "a,b,c\n1,2,3\n")))).toMatch(/line 1: cannot detect the trace format from the header "a,b,c".*--format/);
    expect(await inputError(readTrace(file("x.jsonl", '{"timestamp": 1, "input_length": 2, "output_length": 3}\n')))).toMatch(/line 1: cannot detect the trace format from the fields timestamp, input_length, output_length.*--format/);
    expect(await inputError(readTrace(file("x.txt", "hello world\n")))).toMatch(/cannot detect the trace format/);
  });

  it("a CSV header that does not fit the given format", async () => {
    const msg = await inputError(readTrace(fixture("vidur-small.csv"), { format: "azure" }));
    expect(msg).toMatch(/line 1: expected the Azure trace CSV header with columns TIMESTAMP, ContextTokens, GeneratedTokens \(missing TIMESTAMP, ContextTokens, GeneratedTokens\)/);
  });

  it("bad CSV values name the line and column", async () => {
    const p = file("bad.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,10,5\n2023-11-16 18:15:47.00,-3,5\n");
    expect(await inputError(readTrace(p))).toMatch(/line 3: expected "ContextTokens" to be a positive integer \(tokens\), got "-3"/);
    const q = file("bad2.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\nnot-a-date,10,5\n");
    expect(await inputError(readTrace(q))).toMatch(/line 2: expected TIMESTAMP to be a datetime/);
  });
});

describe("streaming", () => {
  it("reads lines across chunk boundaries, CRLF, BOM, multi-byte text, no final newline", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) lines.push(`${i},${"é".repeat(i % 97)},${"x".repeat(i % 13)}`);
    const p = file("lines.txt", `\ufeff${lines.join("\r\n")}`);
    const got: string[] = [];
    await forEachLine(p, (l, n) => {
      expect(n).toBe(got.length + 1);
      got.push(l);
    });
    expect(got.length).toBe(40_000);
    expect(got).toEqual(lines);
  });

  it("stops early when the callback returns false", async () => {
    let n = 0;
    await forEachLine(fixture("mooncake-conversation-head1000.jsonl"), () => ++n < 5);
    expect(n).toBe(5);
  });

  it("parses a multi-MiB Mooncake-style file exactly", async () => {
    const rows: string[] = [];
    let expectedBlocks = 0;
    for (let i = 0; i < 20_000; i++) {
      const input = 1 + ((i * 7919) % 9000);
      const nb = Math.ceil(input / 512);
      expectedBlocks += nb;
      rows.push(JSON.stringify({ timestamp: i * 10, input_length: input, output_length: 1 + (i % 300), hash_ids: Array.from({ length: nb }, (_, k) => (k === 0 ? 0 : i * 100 + k)) }));
    }
    const p = file("big.jsonl", `${rows.join("\n")}\n`);
    const t = (await readTrace(p)).table;
    expect(t.count).toBe(20_000);
    expect(t.hashIds.length).toBe(expectedBlocks);
    expect(t.arrivalUs[19_999]).toBe(199_990_000);
    expect(t.inputTokens[12_345]).toBe(1 + ((12_345 * 7919) % 9000));
    // every request shares block 0 and nothing else
    expect(new Set(t.hashIds).size).toBe(expectedBlocks - 20_000 + 1);
  });
});
