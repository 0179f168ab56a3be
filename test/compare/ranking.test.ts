/** The compare-gpus ranking: rows, order, capacity per dollar and the files, on hand-made results. */
import { describe, expect, it } from "vitest";
import { failedRow, rowOf, sortRows, type GpuRanking } from "../../src/compare/ranking.js";
import { formatRankingTable, renderRankingCsv, renderRankingMarkdown, renderRankingSvg } from "../../src/compare/ranking-files.js";
import { buildFrontierFile } from "../../src/results/frontier-file.js";
import { TARGETS, deployment, point } from "../search/make-points.js";

const file = (points: ReturnType<typeof point>[], statusReason?: string) => buildFrontierFile({
  runId: "r", status: points.some((p) => p.sloMet) ? "ok" : "infeasible", ...(statusReason ? { statusReason } : {}), runs: 1, wallS: 1, demandRps: 40,
  prices: "test-prices", headroom: 0, planRps: 40, seed: 1, confirmSeeds: [2, 3, 4], targets: TARGETS, points,
});

describe("rowOf and sortRows", () => {
  const h100 = rowOf("h100_sxm", file([point("a", { sloMet: true, costUsdPerHour: 27.52, capacityRps: 44, deployment: deployment({ gpu: "h100_sxm" }) })]), "/r/h100");
  const b200 = rowOf("b200", file([point("b", { sloMet: true, costUsdPerHour: 28.48, capacityRps: 80, deployment: deployment({ gpu: "b200" }) })]), "/r/b200");
  const l40s = rowOf("l40s", file([point("c", { sloMet: false, note: "p99 TTFT 9000 ms > 2000 ms", deployment: deployment({ gpu: "l40s", replicas: 8, tp: 4 }) })], "no configuration passes the stage-1 latency screen"), "/r/l40s");
  const h20 = failedRow("h20", "no configuration can run the model: does not fit");

  it("takes cost, $/1M tokens and capacity from the recommendation; capacity per $/h = capacity / cost", () => {
    expect(h100).toMatchObject({ gpu: "h100_sxm", reason: null, costUsdPerHour: 27.52, capacityRps: 44, status: "ok", results: "/r/h100" });
    expect(h100.capacityPerUsd).toBeCloseTo(44 / 27.52, 4);
  });

  it("a GPU without a deployment has nulls and a reason naming its closest miss", () => {
    expect(l40s).toMatchObject({ recommended: null, costUsdPerHour: null, capacityPerUsd: null, status: "infeasible" });
    expect(l40s.reason).toBe("no configuration passes the stage-1 latency screen; simulated 1, e.g. 8 x l40s tp4 · bf16/bf16 · sglang b128 c8192 · cache_aware · HBM only: p99 TTFT 9000 ms > 2000 ms");
  });

  it("sorts by cost, GPUs without a deployment last (by id)", () => {
    expect(sortRows([l40s, b200, h20, h100]).map((r) => r.gpu)).toEqual(["h100_sxm", "b200", "h20", "l40s"]);
  });
});

describe("ranking files", () => {
  const ranking: GpuRanking = {
    demandRps: 40, prices: "test-prices",
    gpus: sortRows([
      rowOf("h100_sxm", file([point("a", { sloMet: true, costUsdPerHour: 27.52, capacityRps: 44, deployment: deployment({ gpu: "h100_sxm" }) })]), "/r/h100"),
      failedRow("l40s", "no configuration can run the model: KV pool too small"),
    ]),
  };

  it("csv: header, rank only for GPUs with a deployment, the reason and the price list", () => {
    const lines = renderRankingCsv(ranking).trim().split("\n");
    expect(lines[0]).toBe("rank,gpu,status,costUsdPerHour,usdPerMillionTokens,capacityRps,capacityPerUsd,deployment,reason,prices,demandRps");
    expect(lines[1]).toMatch(/^1,h100_sxm,ok,27\.52,/);
    expect(lines[2]).toMatch(/^,l40s,infeasible,,,,,,no configuration can run the model: KV pool too small,test-prices,40$/);
  });

  it("md and the stdout table name the prices and each GPU's reason", () => {
    const md = renderRankingMarkdown(ranking, "chat");
    expect(md).toContain("prices: test-prices");
    expect(md).toContain("| - | l40s | - | - | - | - | no deployment: no configuration can run the model: KV pool too small |");
    expect(formatRankingTable(ranking)).toMatch(/l40s .*no deployment: no configuration can run the model/);
  });

  it("svg: a standalone file with a bar per GPU with a deployment and the reason for the others, no external references", () => {
    const svg = renderRankingSvg(ranking, "chat");
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="16" fill="#4e79a7">/g)).toHaveLength(1);
    expect(svg).toContain("no deployment: no configuration can run the model");
    // The namespace is the only URL: nothing is fetched.
    expect(svg.replace('xmlns="http://www.w3.org/2000/svg"', "")).not.toMatch(/https?:/);
  });
});
