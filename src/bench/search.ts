/**
 * The main job against its promises, on the bundled specs (`npm run bench search`):
 * - the chat spec's default search, confirmation included: wall and CPU time (target under 60 s on
 *   2 cores, wall time; the CPU time is printed because a shared machine inflates wall time), and
 *   simulations (at most 500);
 * - for each bundled spec, `verify` of the recommendation with 5 seeds the search does not use: every
 *   target must hold under all 5 at the demand, and under at least 4 at 95% of the stated capacity;
 * - the chat spec searched with seeds 1, 2 and 3: recommended costs within 10% of each other;
 * - the small space: staged recommendation within 3% of the exhaustive one, both confirmed;
 * - the Mooncake spec's stage 3: what the L2 and L3 options did to cost and TTFT.
 * Each search runs once and is shared by the sections that need it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FrontierFile } from "../results/frontier-file.js";
import { runSearch, type SearchOptions } from "../search/run-search.js";
import { runVerify, type VerifyResult } from "../search/verify.js";
import type { BenchFigure, BenchSection } from "./figure.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CHAT = join(ROOT, "slo-specs/chat-qwen3-32b.json");
const SPECS = ["chat-qwen3-32b", "agentic-coder-480b", "mooncake-replay"].map((n) => join(ROOT, `slo-specs/${n}.json`));
const SMALL = join(ROOT, "test/fixtures/search/small-slo.json");

interface Run {
  file: FrontierFile;
  dir: string;
  wallS: number;
  cpuS: number;
}

const tmp = mkdtempSync(join(tmpdir(), "hisim-bench-search-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const runs = new Map<string, Promise<Run>>();
let n = 0;

/** One search per (spec, options), run once per bench and shared. */
function search(slo: string, opts: Partial<SearchOptions> = {}): Promise<Run> {
  const key = JSON.stringify([slo, opts]);
  let r = runs.get(key);
  if (!r) {
    r = (async () => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const out = await runSearch({ slo, seed: 1, out: join(tmp, `run-${n++}`), ...opts });
      const c = process.cpuUsage(c0);
      return { file: out.file, dir: out.dir, wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6 };
    })();
    runs.set(key, r);
  }
  return r;
}

const name = (slo: string) => slo.split("/").pop()!.replace(/\.json$/, "");

const speed: BenchSection = {
  title: "search: the chat spec's default search, confirmation included",
  async run(): Promise<BenchFigure[]> {
    const r = await search(CHAT);
    const f = r.file;
    const rec = f.recommended;
    return [
      { name: "wall time (2 cores)", value: r.wallS, unit: `s (CPU ${r.cpuS.toFixed(1)} s, every thread)`, target: "< 60 s", ok: r.wallS < 60 },
      { name: "simulations", value: f.runs, unit: "", target: "<= 500", ok: f.runs <= 500 },
      { name: `  recommended: ${rec ? `${rec.deployment.replicas} x ${rec.deployment.gpu} tp${rec.deployment.tp}` : "none"}`, value: rec?.costUsdPerHour ?? 0, unit: `$/h (${f.prices}), capacity ${rec?.capacityRps ?? 0} req/s, status ${f.status}` },
    ];
  },
};

function verifyFigures(label: string, v: VerifyResult, need: number): BenchFigure[] {
  const perTarget = v.targets.map((t) => `${t.metric} ${t.perSeed.map((s) => (s.valueMs === null ? "-" : s.valueMs.toFixed(t.metric === "tpotMs" ? 1 : 0))).join("/")}`).join("; ");
  return [{ name: `${label} at ${v.rateRps} req/s`, value: v.passedSeeds, unit: `of ${v.seeds.length} seeds meet every target (${perTarget})`, target: `>= ${need}`, ok: v.passedSeeds >= need }];
}

const verify: BenchSection = {
  title: "search: verify each bundled spec's recommendation with 5 unseen seeds (101-105)",
  async run(): Promise<BenchFigure[]> {
    const figures: BenchFigure[] = [];
    for (const slo of SPECS) {
      const r = await search(slo);
      const rec = r.file.recommended;
      if (!rec) {
        figures.push({ name: `${name(slo)}: no recommendation`, value: 0, unit: r.file.statusReason ?? "", target: "a recommendation", ok: false });
        continue;
      }
      const deployment = join(r.dir, "frontier.json");
      figures.push(...verifyFigures(`${name(slo)}: demand`, await runVerify({ slo, deployment }), 5));
      figures.push(...verifyFigures(`${name(slo)}: 95% of capacity ${rec.capacityRps}`, await runVerify({ slo, deployment, rateRps: 0.95 * rec.capacityRps }), 4));
    }
    return figures;
  },
};

const stability: BenchSection = {
  title: "search: the chat spec with seeds 1, 2, 3",
  async run(): Promise<BenchFigure[]> {
    const costs: number[] = [];
    const figures: BenchFigure[] = [];
    for (const seed of [1, 2, 3]) {
      const f = (await search(CHAT, seed === 1 ? {} : { seed })).file;
      const rec = f.recommended;
      costs.push(rec?.costUsdPerHour ?? Infinity);
      figures.push({ name: `seed ${seed}: ${rec ? `${rec.deployment.replicas} x ${rec.deployment.gpu} tp${rec.deployment.tp}` : "none"}`, value: rec?.costUsdPerHour ?? 0, unit: `$/h, ${f.runs} simulations` });
    }
    const spread = Math.max(...costs) / Math.min(...costs);
    figures.push({ name: "highest / lowest recommended cost", value: spread, unit: "", target: "<= 1.10", ok: spread <= 1.1 });
    return figures;
  },
};

const exhaustive: BenchSection = {
  title: "search: staged vs exhaustive on the small space",
  async run(): Promise<BenchFigure[]> {
    const staged = (await search(SMALL)).file;
    const full = (await search(SMALL, { exhaustive: true })).file;
    const a = staged.recommended;
    const b = full.recommended;
    if (!a || !b) return [{ name: "recommendations", value: 0, unit: "missing", ok: false }];
    const ratio = a.costUsdPerHour / b.costUsdPerHour;
    const confirmed = a.confirmedSeeds.length > 0 && b.confirmedSeeds.length > 0;
    return [
      { name: "staged / exhaustive recommended cost", value: ratio, unit: `($${a.costUsdPerHour}/h vs $${b.costUsdPerHour}/h, ${staged.runs} vs ${full.runs} simulations)`, target: "<= 1.03", ok: ratio <= 1.03 },
      { name: "both recommendations confirmed", value: confirmed ? 1 : 0, unit: `(seeds ${a.confirmedSeeds.join(", ")})`, target: "1", ok: confirmed },
    ];
  },
};

const tiers: BenchSection = {
  title: "search: the Mooncake spec's stage 3 (L2 and L3 under the default prices)",
  async run(): Promise<BenchFigure[]> {
    const f = (await search(SPECS[2])).file;
    const byId = new Map(f.points.map((p) => [p.id, p]));
    const figures: BenchFigure[] = [];
    for (const baseId of [...new Set(f.tierTrials.map((t) => t.baseId))]) {
      const base = byId.get(baseId)!;
      figures.push({ name: `base ${base.deployment.replicas} x ${base.deployment.gpu} tp${base.deployment.tp} ${base.deployment.router.policy}, no tiers`, value: base.costUsdPerHour, unit: `$/h, TTFT p${f.verdicts[0]?.percentile ?? ""} ${base.latency.ttftMs.toFixed(0)} ms` });
      for (const t of f.tierTrials.filter((x) => x.baseId === baseId)) {
        figures.push({
          name: `  ${t.option}: ${t.outcome}`, value: t.costUsdPerHour ?? 0,
          unit: t.costUsdPerHour === undefined ? `(${t.reason ?? ""})` : `$/h with ${t.replicas} replicas, TTFT ${t.ttftMs?.toFixed(0)} ms`,
        });
      }
    }
    const rec = f.recommended;
    if (rec) figures.push({ name: `recommended: ${rec.deployment.replicas} x ${rec.deployment.gpu} tp${rec.deployment.tp}, ${rec.deployment.kvCache.l2 ? "with tiers" : "no tiers"}`, value: rec.costUsdPerHour, unit: `$/h, TTFT ${rec.latency.ttftMs.toFixed(0)} ms (worst confirmation seed)` });
    return figures;
  },
};

export const sections: BenchSection[] = [speed, verify, stability, exhaustive, tiers];
