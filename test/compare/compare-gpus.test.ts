/**
 * compare-gpus end to end on the small spec (two GPUs): every GPU of the space ranked by cost, the
 * files written, a price that makes the top GPU cost $100/h moving it off the top, the shared
 * thread pool giving the same ranking as one thread, and an impossible SLO exiting 3.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "../helpers/cli.js";
import { ensureWorkerBuild } from "../worker/ensure-worker-build.js";

const root = resolve(new URL("../..", import.meta.url).pathname);
const SLO = join(root, "test/fixtures/search/small-slo.json");
const tmpDir = mkdtempSync(join(tmpdir(), "hisim-compare-"));
afterAll(() => rmSync(tmpDir, { recursive: true, force: true }));
const tmp = () => tmpDir;

interface Ranking {
  demandRps: number;
  prices: string;
  gpus: { gpu: string; recommended: { deployment: { gpu: string; tp: number; replicas: number } } | null; reason: string | null; costUsdPerHour: number | null; capacityRps: number | null; capacityPerUsd: number | null }[];
}

async function compare(...extra: string[]): Promise<{ code: number; ranking: Ranking; stderr: string }> {
  const r = await cli("compare-gpus", "--slo", SLO, "--json", "--quiet", ...extra);
  return { code: r.code, ranking: r.code === 2 ? (undefined as never) : (JSON.parse(r.stdout) as Ranking), stderr: r.stderr };
}

describe("compare-gpus on the small space", () => {
  let base: Awaited<ReturnType<typeof compare>>;
  const out = () => join(tmp(), "base");
  beforeAll(async () => {
    base = await compare("--workers", "1", "--out", out());
  }, 120_000);

  it("ranks every GPU of the space by cost, in the SPEC's JSON shape", () => {
    expect(base.code).toBe(0);
    expect(base.ranking.prices).toBe("hyperscaler-on-demand-2026-11");
    expect(base.ranking.demandRps).toBeGreaterThan(0);
    expect(base.ranking.gpus.map((g) => g.gpu).sort()).toEqual(["a100_sxm", "h100_sxm"]);
    const costs = base.ranking.gpus.map((g) => g.costUsdPerHour ?? Infinity);
    expect(costs).toEqual([...costs].sort((a, b) => a - b));
    for (const g of base.ranking.gpus) {
      expect(Object.keys(g)).toEqual(expect.arrayContaining(["gpu", "recommended", "reason", "costUsdPerHour", "usdPerMillionTokens", "capacityRps", "capacityPerUsd"]));
      if (g.recommended) {
        expect(g.recommended.deployment.gpu).toBe(g.gpu);
        // Priced with the default list: replicas x TP x the GPU's price (a100 $3.4309, h100 $6.88).
        const price = { a100_sxm: 3.4309, h100_sxm: 6.88 }[g.gpu as "a100_sxm" | "h100_sxm"];
        expect(g.costUsdPerHour).toBeCloseTo(g.recommended.deployment.replicas * g.recommended.deployment.tp * price, 3);
        expect(g.capacityPerUsd).toBeCloseTo(g.capacityRps! / g.costUsdPerHour!, 3);
      } else expect(g.reason).toBeTruthy();
    }
  });

  it("writes the ranking (json, csv, md, svg) and one search folder per GPU", () => {
    for (const f of ["ranking.json", "ranking.csv", "ranking.md", "ranking.svg", "h100_sxm/frontier.json", "a100_sxm/frontier.json"]) {
      expect(existsSync(join(out(), f)), f).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(out(), "ranking.json"), "utf8"))).toEqual(base.ranking);
  });

  it("a price list that makes the top GPU cost $100/h moves it off the top", async () => {
    const top = base.ranking.gpus[0].gpu;
    const prices = join(tmp(), "dear.json");
    writeFileSync(prices, JSON.stringify({ name: "dear-top", gpuUsdPerHour: { [top]: 100 } }));
    const dear = await compare("--workers", "1", "--prices", prices, "--out", join(tmp(), "dear"));
    expect(dear.code).toBe(0);
    expect(dear.ranking.prices).toBe("dear-top (rest from hyperscaler-on-demand-2026-11)");
    expect(dear.ranking.gpus[0].gpu).not.toBe(top);
    const moved = dear.ranking.gpus.find((g) => g.gpu === top)!;
    expect(moved.costUsdPerHour).toBeGreaterThanOrEqual(100);
  }, 120_000);

  it("two threads sharing one pool give the same ranking as one thread", async () => {
    const why = ensureWorkerBuild();
    expect(why).toBeUndefined();
    const two = await compare("--workers", "2", "--out", join(tmp(), "two"));
    expect(two.ranking).toEqual({ ...base.ranking, gpus: base.ranking.gpus.map((g) => ({ ...g, results: join(tmp(), "two", g.gpu) })) });
  }, 120_000);

  it("an unknown GPU in --gpus is an input error (exit 2)", async () => {
    const r = await cli("compare-gpus", "--slo", SLO, "--gpus", "h100_sxm,tpu9", "--out", join(tmp(), "bad"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown GPU "tpu9"/);
  });
});

describe("compare-gpus --out", () => {
  it("an empty --out is a usage error before any search (exit 2)", async () => {
    const r = await cli("compare-gpus", "--slo", SLO, "--out", "");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out: expected a folder path, got an empty string/);
  });
});

describe("compare-gpus with an SLO nothing meets", () => {
  it("exits 3 and gives every GPU a reason", async () => {
    const spec = JSON.parse(readFileSync(SLO, "utf8"));
    spec.targets.ttftMs.max = 1;
    spec.searchSpace = join(root, "search-spaces/small.json");
    const p = join(tmp(), "impossible.json");
    writeFileSync(p, JSON.stringify(spec));
    const r = await cli("compare-gpus", "--slo", p, "--json", "--quiet", "--workers", "1", "--out", join(tmp(), "impossible"));
    expect(r.code).toBe(3);
    const ranking = JSON.parse(r.stdout) as Ranking;
    expect(ranking.gpus).toHaveLength(2);
    for (const g of ranking.gpus) {
      expect(g.recommended).toBeNull();
      expect(g.reason).toMatch(/TTFT/);
    }
  }, 120_000);
});
