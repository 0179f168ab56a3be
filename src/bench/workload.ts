/**
 * Workload layer speed: streaming a 1M-request Mooncake-format trace (generated in a temp dir),
 * generating a 20,000-request multi-turn chat workload, and the one-pass LRU hit curve.
 * Set HISIM_BENCH_MOONCAKE to the Mooncake conversation trace to also check its hit curve against
 * the published numbers (unbounded 0.374 tokens; LRU 1M/3M/10M/30M 0.054/0.139/0.291/0.366).
 */
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SyntheticWorkload } from "../config/types.js";
import { readTrace } from "../io/traces/read-trace.js";
import { hitCurve, lruReuseProfile } from "../sim/cache/hit-curve.js";
import type { RequestTable } from "../sim/workload/request-table.js";
import { generateSynthetic } from "../sim/workload/synthetic.js";
import type { BenchFigure, BenchSection } from "./figure.js";

const CHAT: SyntheticWorkload = {
  kind: "synthetic",
  requests: 20_000,
  arrival: { process: "poisson", ratePerS: 20 },
  inputTokens: { lognormal: { mean: 300, sigma: 0.6 }, max: 4000 },
  outputTokens: { lognormal: { mean: 200, sigma: 0.5 }, max: 2000 },
  prefix: { systemPrompts: 8, systemPromptTokens: 1000, zipfAlpha: 1.1, sessions: { turnsMean: 4, thinkTimeMeanS: 20 } },
};

/** Writes `n` Mooncake-format lines: shared prefixes from a pool of 5,000 "documents". */
async function writeMooncakeLike(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  let x = 12345;
  const rand = (m: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x % m;
  };
  let next = 5000 * 64;
  let buf = "";
  for (let i = 0; i < n; i++) {
    const blocks = 1 + rand(12);
    const doc = rand(5000);
    const shared = rand(blocks + 1);
    const ids: number[] = [];
    for (let k = 0; k < blocks; k++) ids.push(k < shared ? doc * 64 + k : next++);
    buf += `{"timestamp": ${Math.floor(i * 3.6)}, "input_length": ${(blocks - 1) * 512 + 1 + rand(512)}, "output_length": ${1 + rand(600)}, "hash_ids": [${ids.join(", ")}]}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, "drain");
      buf = "";
    }
  }
  out.end(buf);
  await once(out, "finish");
}

function tableBytes(t: RequestTable): number {
  return [t.arrivalUs, t.after, t.afterDelayUs, t.inputTokens, t.outputTokens, t.hashStart, t.hashIds, t.sessionId]
    .reduce((s, a) => s + a.byteLength, 0);
}

const section: BenchSection = {
  title: "workload: trace parsing, synthetic generation, hit curve",
  async run(): Promise<BenchFigure[]> {
    const figures: BenchFigure[] = [];
    const dir = mkdtempSync(join(tmpdir(), "hisim-bench-workload-"));
    try {
      const n = 1_000_000;
      const file = join(dir, "mooncake-1m.jsonl");
      await writeMooncakeLike(file, n);
      const t0 = performance.now();
      const { table } = await readTrace(file);
      const parseS = (performance.now() - t0) / 1000;
      figures.push({ name: `Mooncake JSONL parse (1M requests, ${table.hashIds.length} blocks, streamed)`, value: n / parseS, unit: "records/s" });
      figures.push({ name: "request table size", value: tableBytes(table) / n, unit: "bytes/request (typed arrays)" });
      figures.push({ name: "peak RSS so far", value: process.resourceUsage().maxRSS / 1024, unit: "MiB" });
      const t1 = performance.now();
      const profile = lruReuseProfile(table);
      const hcS = (performance.now() - t1) / 1000;
      figures.push({ name: "one-pass LRU hit curve (1M requests, every capacity)", value: table.hashIds.length / hcS, unit: "blocks/s" });
      figures.push({ name: "  unbounded token hit rate of that trace", value: profile.point(0).tokenHitRate, unit: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }

    const t2 = performance.now();
    const chat = generateSynthetic(CHAT, 1);
    const genS = (performance.now() - t2) / 1000;
    figures.push({ name: "synthetic generation (20,000-request multi-turn chat)", value: genS * 1000, unit: "ms" });
    figures.push({ name: "  that is", value: CHAT.requests / genS, unit: "requests/s" });
    const t3 = performance.now();
    const curve = hitCurve(chat, [0, 1_000_000, 10_000_000]);
    figures.push({ name: "hit curve of that chat workload", value: (performance.now() - t3), unit: `ms (${chat.hashIds.length} blocks; unbounded hit ${curve.points[0].tokenHitRate.toFixed(3)})` });

    const mooncake = process.env.HISIM_BENCH_MOONCAKE;
    if (mooncake) {
      const { table } = await readTrace(mooncake);
      const published = [0.374, 0.054, 0.139, 0.291, 0.366];
      const pts = hitCurve(table, [0, 1e6, 3e6, 1e7, 3e7]).points;
      pts.forEach((p, k) => {
        const ok = Math.abs(p.tokenHitRate - published[k]) <= 0.0015;
        figures.push({ name: `Mooncake conversation LRU token hit @ ${p.capacityTokens === 0 ? "unbounded" : `${p.capacityTokens / 1e6}M`}`, value: p.tokenHitRate, unit: "", target: `${published[k]} (reference)`, ok });
      });
    }
    return figures;
  },
};

export default section;
