/**
 * nightly end to end on a small plan (one service at demand x1 and x1.5): two nights, the second
 * with every GPU 30% dearer and the first as --baseline, exits 4 with the cost regression marked in
 * report.json, report.md and report.html; both nights write every file; a third night finds its
 * baseline beside it by itself; an SLO nothing meets exits 3; a bad plan exits 2 naming file and path.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NightlyReport } from "../../src/nightly/report-data.js";
import { cli } from "../helpers/cli.js";

const root = resolve(new URL("../..", import.meta.url).pathname);
const tmp = mkdtempSync(join(tmpdir(), "hisim-nightly-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const nights = join(tmp, "results", "nightly");
const night = (date: string) => join(nights, `${date}-small-plan`);
const plan = join(tmp, "plan.json");
writeFileSync(plan, JSON.stringify({
  name: "small-plan",
  services: [{ slo: join(root, "test/fixtures/search/small-slo.json"), demandScales: [1, 1.5] }],
  regression: { costIncreasePct: 5, capacityDropPct: 5 },
}));
// Every GPU of the default list 30% dearer (hand-written: AWS per-GPU prices x 1.3).
const dearer = join(tmp, "plus30.json");
writeFileSync(dearer, JSON.stringify({
  name: "aws-plus-30pct",
  gpuUsdPerHour: { a100_sxm: 3.4309 * 1.3, h100_sxm: 6.88 * 1.3, h200_sxm: 7.912 * 1.3, h20: 4.97 * 1.3, b200: 14.2416 * 1.3, l40s: 3.7664 * 1.3 },
}));

const SPEC_7A_FILES = ["report.json", "report.md", "report.html", "small-chat-llama-8b-x1/frontier.json", "small-chat-llama-8b-x1.5/frontier.json",
  "small-chat-llama-8b-x1/summary.md", "small-chat-llama-8b-x1.5/deploy/README.md"];

async function nightly(date: string, ...extra: string[]) {
  const r = await cli("nightly", "--plan", plan, "--date", date, "--out", night(date), "--workers", "1", "--json", "--quiet", ...extra);
  return { ...r, report: r.code === 2 ? (undefined as never) : (JSON.parse(r.stdout) as NightlyReport) };
}

describe("two nights, the second 30% dearer against the first", () => {
  let first: Awaited<ReturnType<typeof nightly>>;
  let second: Awaited<ReturnType<typeof nightly>>;
  beforeAll(async () => {
    mkdirSync(nights, { recursive: true });
    first = await nightly("2026-12-03");
    second = await nightly("2026-12-04", "--prices", dearer, "--baseline", night("2026-12-03"));
  }, 240_000);

  it("both nights write every file of the nightly folder", () => {
    for (const d of ["2026-12-03", "2026-12-04"]) for (const f of SPEC_7A_FILES) expect(existsSync(join(night(d), f)), `${d}/${f}`).toBe(true);
  });

  it("the first night has no baseline and exits 0; report.json follows the SPEC shape", () => {
    expect(first.code).toBe(0);
    const r = first.report;
    expect(r).toMatchObject({ plan: "small-plan", date: "2026-12-03", prices: "hyperscaler-on-demand-2026-11", baseline: null, regressions: 0 });
    expect(r.services.map((s) => [s.name, s.demandScale, s.status])).toEqual([["small-chat-llama-8b", 1, "ok"], ["small-chat-llama-8b", 1.5, "ok"]]);
    for (const s of r.services) {
      expect(Object.keys(s)).toEqual(expect.arrayContaining(["name", "demandScale", "demandRps", "status", "recommended", "gpus", "costUsdPerHour", "usdPerMillionTokens", "capacityRps", "headroom", "changes"]));
      expect(s.gpus).toBe(s.recommended!.deployment.replicas * s.recommended!.deployment.tp);
      expect(s.headroom).toBeCloseTo(s.capacityRps! / s.demandRps, 3);
    }
    // The x1.5 service plans for 1.5 times the x1 demand.
    expect(r.services[1].demandRps).toBeCloseTo(1.5 * r.services[0].demandRps, 2);
    expect(JSON.parse(readFileSync(join(night("2026-12-03"), "report.json"), "utf8"))).toEqual(r);
  });

  it("the second night exits 4 and marks the cost regression in report.json", () => {
    expect(second.code).toBe(4);
    const r = second.report;
    expect(r.baseline).toBe("../2026-12-03-small-plan");
    expect(r.prices).toBe("aws-plus-30pct (rest from hyperscaler-on-demand-2026-11)");
    expect(r.regressions).toBeGreaterThanOrEqual(2);
    for (const s of r.services) {
      const before = first.report.services.find((b) => b.demandScale === s.demandScale)!;
      const cost = s.changes.find((c) => c.field === "costUsdPerHour")!;
      expect(cost).toMatchObject({ before: before.costUsdPerHour, after: s.costUsdPerHour, regression: true });
      // Same deployment, every GPU 30% dearer: the cost is 1.3 times the baseline's.
      expect(cost.after as number).toBeCloseTo((cost.before as number) * 1.3, 2);
      expect(cost.why).toBe("cost up 30.0% > 5%");
    }
  });

  it("report.md and report.html mark it too", () => {
    const md = readFileSync(join(night("2026-12-04"), "report.md"), "utf8");
    expect(md).toMatch(/\*\*REGRESSION\*\* costUsdPerHour: \$\d+\.\d\d → \$\d+\.\d\d \(cost up 30\.0% \\> 5%\)/);
    expect(md).toContain("Baseline: `../2026-12-03-small-plan`");
    const html = readFileSync(join(night("2026-12-04"), "report.html"), "utf8");
    expect(html).toMatch(/<tr class="regression"><td>small-chat-llama-8b<\/td><td class="num">x1<\/td><td>costUsdPerHour: .*cost up 30\.0% &gt; 5%\)<\/td><td class="flag">REGRESSION<\/td><\/tr>/);
    expect(html).toContain("<strong>2 regressions</strong>");
  });

  it("report.html is self-contained: inline SVG charts of both nights, no URL, no script", () => {
    const html = readFileSync(join(night("2026-12-04"), "report.html"), "utf8");
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\(/i);
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2);
    expect(html).toContain("Trend over 2 nights");
    // Both dates on the x axis, one line per service and scale, the regressions ringed on the cost chart.
    expect(html).toContain(">12-03</text>");
    expect(html).toContain(">12-04</text>");
    expect(html).toContain("small-chat-llama-8b x1.5");
    expect(html).toContain("regression (this night)");
  });

  it("a third night finds the newest earlier night beside it as its baseline", async () => {
    const third = await nightly("2026-12-05", "--prices", dearer);
    expect(third.code).toBe(0);
    expect(third.report.baseline).toBe("../2026-12-04-small-plan");
    expect(third.report.regressions).toBe(0);
    expect(third.report.services.every((s) => s.changes.length === 0)).toBe(true);
    expect(readFileSync(join(night("2026-12-05"), "report.html"), "utf8")).toContain("Trend over 3 nights");
  }, 120_000);

  it("refuses a folder that already holds a night", async () => {
    const again = await cli("nightly", "--plan", plan, "--date", "2026-12-03", "--out", night("2026-12-03"), "--workers", "1");
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a nightly report/);
  });
});

describe("nightly inputs and outcomes", () => {
  it("a service with no SLO-meeting deployment exits 3", async () => {
    const spec = JSON.parse(readFileSync(join(root, "test/fixtures/search/small-slo.json"), "utf8"));
    spec.targets.tpotMs.max = 0.5;
    spec.searchSpace = join(root, "search-spaces/small.json");
    writeFileSync(join(tmp, "impossible.json"), JSON.stringify(spec));
    const p = join(tmp, "impossible-plan.json");
    writeFileSync(p, JSON.stringify({ name: "impossible", services: [{ slo: "impossible.json" }] }));
    const r = await cli("nightly", "--plan", p, "--date", "2026-12-03", "--out", join(tmp, "imp"), "--workers", "1", "--json", "--quiet");
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as NightlyReport;
    expect(report.services[0]).toMatchObject({ status: "infeasible", recommended: null, costUsdPerHour: null });
    expect(report.services[0].statusReason).toMatch(/TPOT/);
  }, 120_000);

  it.each([
    ["an unknown field", { name: "p", services: [{ slo: "x.json" }], extra: 1 }, /plan-bad-0\.json: \/extra: unknown field/],
    ["a negative scale", { name: "p", services: [{ slo: "x.json", demandScales: [-1] }] }, /\/services\/0\/demandScales\/0: expected above 0, got -1/],
    ["a missing SLO spec", { name: "p", services: [{ slo: "nowhere.json" }] }, /\/services\/0\/slo: SLO spec .*nowhere\.json does not exist/],
    ["an unknown price list", { name: "p", prices: "gcp-2031", services: [{ slo: join(root, "test/fixtures/search/small-slo.json") }] }, /plan-bad-3\.json: \/prices: unknown price list "gcp-2031"/],
  ])("a plan with %s exits 2 naming the file and the JSON path", async (_, content, pattern) => {
    const i = ["an unknown field", "a negative scale", "a missing SLO spec", "an unknown price list"].indexOf(_);
    const p = join(tmp, `plan-bad-${i}.json`);
    writeFileSync(p, JSON.stringify(content));
    const r = await cli("nightly", "--plan", p, "--date", "2026-12-03", "--out", join(tmp, `bad-${i}`));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
  });

  it("the bundled example plan is a valid nightly plan over the bundled specs", async () => {
    const r = await cli("validate", "config", join(root, "examples/nightly-plan.json"));
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/valid nightly-plan/);
  });
});
