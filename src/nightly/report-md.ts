/**
 * `report.md` of a nightly run: per service and demand scale, the recommendation with its cost,
 * capacity and headroom, then what changed against the baseline, regressions marked.
 */
import { describeDeployment, fmtRps, fmtUsd } from "../report/format.js";
import { mdText } from "../report/summary-md.js";
import type { Change, NightlyReport, ServiceResult } from "./report-data.js";

const num = (v: number | null, f: (x: number) => string): string => (v === null ? "-" : f(v));
const headroom = (h: number): string => `${h.toFixed(2)}x`;
const pressure = (p: number): string => `${(p * 100).toFixed(0)}%`;

/** A change as text: "costUsdPerHour: $14.97 → $19.96 (cost up 33.3% > 5%)". */
export function changeText(c: Change): string {
  const fmt = (v: string | number | null): string => {
    if (v === null) return "none";
    if (typeof v === "string") return v;
    if (c.field === "costUsdPerHour" || c.field === "usdPerMillionTokens") return fmtUsd(v);
    if (c.field === "capacityRps") return `${fmtRps(v)} req/s`;
    if (c.field === "headroom") return headroom(v);
    if (c.field === "sloPressure") return `${(v * 100).toFixed(0)}%`;
    return String(v);
  };
  return `${c.field}: ${fmt(c.before)} → ${fmt(c.after)}${c.why ? ` (${c.why})` : ""}`;
}

function serviceLine(s: ServiceResult): string {
  const what = s.recommended ? mdText(describeDeployment(s.recommended.deployment)) : `**no deployment**: ${mdText(s.statusReason ?? "")}`;
  return `| ${mdText(s.name)} | x${s.demandScale} | ${fmtRps(s.demandRps)} | ${s.status} | ${num(s.gpus, String)} | ${num(s.costUsdPerHour, fmtUsd)} | ` +
    `${num(s.usdPerMillionTokens, fmtUsd)} | ${num(s.capacityRps, fmtRps)} | ${num(s.headroom, headroom)} | ${num(s.sloPressure, pressure)} | ${what} |`;
}

/** Renders `report.md`. */
export function renderNightlyMarkdown(r: NightlyReport): string {
  const out = [`# Nightly capacity report: ${mdText(r.plan)}, ${r.date}`, ""];
  out.push(`- Prices: ${mdText(r.prices)}`);
  out.push(`- Baseline: ${r.baseline ? `\`${r.baseline.replace(/`/g, "'")}\`` : "none (first night of this plan)"}`);
  out.push(`- Regressions: **${r.regressions}** (cost up more than ${r.thresholds.costIncreasePct}%, capacity down more than ${r.thresholds.capacityDropPct}%` +
    `${r.thresholds.headroomDropPct !== undefined ? `, headroom down more than ${r.thresholds.headroomDropPct}%` : ""}, or no longer meeting the SLO)`);
  const missing = r.services.filter((s) => s.status !== "ok");
  if (missing.length > 0) out.push(`- Without an SLO-meeting deployment: ${missing.map((s) => `${mdText(s.name)} x${s.demandScale} (${s.status})`).join(", ")}`);
  out.push("", "## Services", "");
  out.push("| Service | Scale | Demand req/s | Status | GPUs | $/h | $/1M tok | Capacity req/s | Headroom | SLO pressure | Recommended deployment |");
  out.push("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const s of r.services) out.push(serviceLine(s));
  out.push("", "Headroom = capacity / demand. SLO pressure = the highest ratio of a latency percentile to its target at the demand (100% = at the target).");
  out.push("", "## Changes against the baseline", "");
  if (!r.baseline) {
    out.push("No baseline: nothing to compare with.", "");
  } else {
    const changed = r.services.filter((s) => s.changes.length > 0);
    if (changed.length === 0) out.push("Nothing changed.", "");
    for (const s of changed) {
      out.push(`### ${mdText(s.name)} x${s.demandScale}`, "");
      for (const c of s.changes) out.push(`- ${c.regression ? "**REGRESSION** " : ""}${mdText(changeText(c))}`);
      out.push("");
    }
  }
  out.push("## Run folders", "", ...r.services.map((s) => `- ${mdText(s.name)} x${s.demandScale}: \`${s.run}/\` (summary.md, frontier.json, deploy/)`), "");
  return out.join("\n");
}
