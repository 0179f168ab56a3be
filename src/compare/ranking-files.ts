/**
 * The ranking as files (`compare-gpus --out`): `ranking.csv`, `ranking.md`, `ranking.svg` (cost
 * and capacity per GPU, a self-contained SVG) and `ranking.json` (the `--json` output); and the
 * table printed on stdout.
 */
import { renderBarChart } from "../report/bar-chart.js";
import { describeDeployment, fmtRps, fmtUsd } from "../report/format.js";
import { csvField } from "../report/frontier-csv.js";
import { mdText } from "../report/summary-md.js";
import { newTable } from "../report/table.js";
import type { GpuRanking } from "./ranking.js";

const num = (v: number | null, f: (x: number) => string): string => (v === null ? "-" : f(v));
const cap = (x: number): string => x.toFixed(3);

/** `ranking.csv`: one row per GPU in rank order. */
export function renderRankingCsv(r: GpuRanking): string {
  const head = ["rank", "gpu", "status", "costUsdPerHour", "usdPerMillionTokens", "capacityRps", "capacityPerUsd", "deployment", "reason", "prices", "demandRps"];
  let rank = 0;
  const rows = r.gpus.map((g) => [
    g.recommended ? ++rank : "", g.gpu, g.status, g.costUsdPerHour, g.usdPerMillionTokens, g.capacityRps, g.capacityPerUsd,
    g.recommended ? describeDeployment(g.recommended.deployment) : "", g.reason ?? "", r.prices, r.demandRps,
  ]);
  return `${[head, ...rows].map((row) => row.map(csvField).join(",")).join("\n")}\n`;
}

/** `ranking.md`: the table with the reason for each GPU without a deployment. */
export function renderRankingMarkdown(r: GpuRanking, title: string): string {
  const out = [`# GPU comparison: ${mdText(title)}`, "", `Demand ${fmtRps(r.demandRps)} req/s · prices: ${mdText(r.prices)} · ranked by cost per hour of each GPU's cheapest SLO-meeting deployment.`, ""];
  out.push("| Rank | GPU | $/h | $/1M tok | Capacity req/s | req/s per $/h | Deployment |", "| ---: | --- | ---: | ---: | ---: | ---: | --- |");
  let rank = 0;
  for (const g of r.gpus) {
    const dep = g.recommended ? mdText(describeDeployment(g.recommended.deployment)) : `no deployment: ${mdText(g.reason ?? "")}`;
    out.push(`| ${g.recommended ? ++rank : "-"} | ${mdText(g.gpu)} | ${num(g.costUsdPerHour, fmtUsd)} | ${num(g.usdPerMillionTokens, fmtUsd)} | ${num(g.capacityRps, fmtRps)} | ${num(g.capacityPerUsd, cap)} | ${dep}${g.recommended && g.reason ? ` (${mdText(g.reason)})` : ""} |`);
  }
  out.push("");
  return out.join("\n");
}

/** `ranking.svg`: cost per hour and capacity per GPU, rank order. */
export function renderRankingSvg(r: GpuRanking, title: string, standalone = true): string {
  return renderBarChart({
    title: `${title}: cost and capacity per GPU (prices: ${r.prices})`,
    rows: r.gpus.map((g) => g.gpu),
    notes: r.gpus.map((g) => (g.recommended ? undefined : `no deployment: ${g.reason ?? ""}`)),
    panels: [
      { title: "Cost, $/h", color: "#4e79a7", values: r.gpus.map((g) => g.costUsdPerHour), format: fmtUsd },
      {
        title: `Capacity, req/s (dashed: demand ${fmtRps(r.demandRps)})`, color: "#59a14f", values: r.gpus.map((g) => g.capacityRps), format: fmtRps,
        ref: { value: r.demandRps, label: `demand ${fmtRps(r.demandRps)} req/s` },
      },
    ],
    standalone,
  });
}

/** Long reasons are cut on the terminal; ranking.md and the JSON keep them whole. */
const clip = (s: string, n = 110): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** The table printed on stdout. */
export function formatRankingTable(r: GpuRanking): string {
  const t = newTable(["rank", "gpu", "$/h", "$/1M tok", "capacity req/s", "req/s per $/h", "deployment or reason"]);
  let rank = 0;
  for (const g of r.gpus) {
    t.push([
      g.recommended ? String(++rank) : "-", g.gpu, num(g.costUsdPerHour, fmtUsd), num(g.usdPerMillionTokens, fmtUsd), num(g.capacityRps, fmtRps),
      num(g.capacityPerUsd, cap), clip(g.recommended ? describeDeployment(g.recommended.deployment) + (g.reason ? ` (${g.reason})` : "") : `no deployment: ${g.reason ?? ""}`),
    ]);
  }
  return `GPUs ranked by cost at ${fmtRps(r.demandRps)} req/s (prices: ${r.prices})\n${t.toString()}\n`;
}
