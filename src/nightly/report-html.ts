/**
 * `report.html` of a nightly run: one self-contained page (inline CSS and SVG, no scripts, nothing
 * fetched) with the services table, the changes against the baseline (regressions marked), and
 * trend charts of cost and capacity per service over the plan's nights found beside the folder.
 */
import { describeDeployment, fmtRps, fmtUsd } from "../report/format.js";
import { escapeHtml as esc } from "../report/html-escape.js";
import { htmlPage } from "../report/html-page.js";
import { PALETTE, REPORT_CSS } from "../report/report-html.js";
import { fmtTick, renderChart, type LineSeries, type ScatterGroup } from "../report/svg-chart.js";
import { rowKey, type Change, type NightlyReport, type ServiceResult } from "./report-data.js";
import { changeText } from "./report-md.js";

const CSS = `${REPORT_CSS}
tr.regression td{background:#fdecea}td.flag{color:#b00020;font-weight:700}
.card.bad strong{color:#b00020}.status-ok{color:#1e7b34}.status-bad{color:#b00020;font-weight:600}
`;

const num = (v: number | null, f: (x: number) => string): string => (v === null ? "-" : esc(f(v)));
const td = (s: string, cls = ""): string => `<td${cls ? ` class="${cls}"` : ""}>${s}</td>`;

function servicesTable(r: NightlyReport): string {
  const head = ["Service", "Scale", "Demand req/s", "Status", "GPUs", "$/h", "$/1M tok", "Capacity req/s", "Headroom", "SLO pressure", "Recommended deployment", "Run"];
  const rows = r.services.map((s) => {
    const regressed = s.changes.some((c) => c.regression);
    const what = s.recommended ? esc(describeDeployment(s.recommended.deployment)) : `no deployment: ${esc(s.statusReason ?? "")}`;
    return `<tr${regressed ? ' class="regression"' : ""}>` + [
      td(esc(s.name)), td(`x${s.demandScale}`, "num"), td(num(s.demandRps, fmtRps), "num"),
      td(esc(s.status), s.status === "ok" ? "status-ok" : "status-bad"), td(num(s.gpus, String), "num"), td(num(s.costUsdPerHour, fmtUsd), "num"),
      td(num(s.usdPerMillionTokens, fmtUsd), "num"), td(num(s.capacityRps, fmtRps), "num"), td(num(s.headroom, (h) => `${h.toFixed(2)}x`), "num"), td(num(s.sloPressure, (p) => `${(p * 100).toFixed(0)}%`), "num"),
      td(what), td(`<code>${esc(s.run)}/</code>`),
    ].join("") + "</tr>";
  });
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>` +
    `<p class="note">Headroom = capacity / demand. SLO pressure = the highest ratio of a latency percentile to its target at the demand (100% = at the target).</p>`;
}

function changesTable(r: NightlyReport): string {
  if (!r.baseline) return `<p class="note">No baseline: this is the first night of the plan found beside this folder.</p>`;
  const rows = r.services.flatMap((s) => s.changes.map((c) =>
    `<tr${c.regression ? ' class="regression"' : ""}>${td(esc(s.name))}${td(`x${s.demandScale}`, "num")}${td(esc(changeText(c)))}` +
    `${c.regression ? td("REGRESSION", "flag") : td("")}</tr>`));
  if (rows.length === 0) return `<p class="note">Nothing changed against the baseline.</p>`;
  return `<table><thead><tr><th>Service</th><th>Scale</th><th>Change (before → after)</th><th></th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

/** One series per service and scale over the nights; the x axis counts nights, labelled by date. */
function trendChart(
  history: readonly NightlyReport[], title: string, label: string, value: (s: ServiceResult) => number | null, fmt: (v: number) => string,
  fields: readonly Change["field"][], tick: (v: number) => string,
): string {
  const dates = history.map((h) => h.date);
  const keys: { key: string; name: string }[] = [];
  for (const h of history) for (const s of h.services) if (!keys.some((k) => k.key === rowKey(s))) keys.push({ key: rowKey(s), name: `${s.name} x${s.demandScale}` });
  const lines: LineSeries[] = keys.map((k, i) => ({
    name: k.name,
    color: PALETTE[i % PALETTE.length],
    dashed: i >= PALETTE.length,
    markers: true,
    points: history.map((h, x): [number, number] => {
      const s = h.services.find((r) => rowKey(r) === k.key);
      const v = s ? value(s) : null;
      return [x, v ?? Number.NaN];
    }).filter(([, y]) => Number.isFinite(y)),
  }));
  // The last night's regressions of this chart's figure, ringed.
  const last = history[history.length - 1];
  const regressed: ScatterGroup = {
    name: "regression (this night)", color: "#b00020", shape: "ring", r: 8,
    points: last.services.filter((s) => s.changes.some((c) => c.regression && fields.includes(c.field)) && value(s) !== null)
      .map((s) => ({ x: history.length - 1, y: value(s)!, label: `${s.name} x${s.demandScale}: ${fmt(value(s)!)}` })),
  };
  return renderChart({
    title, lines, groups: regressed.points.length > 0 ? [regressed] : [],
    x: { label: "night", min: -0.5, max: dates.length - 0.5, format: (v) => (Number.isInteger(v) && v >= 0 && v < dates.length ? dates[v].slice(5) : "") },
    y: { label, min: 0, format: tick },
    width: 580, height: 320,
  });
}

/** Renders the page. `history` is every night of the plan to chart, oldest first, this one last. */
export function renderNightlyHtml(r: NightlyReport, history: readonly NightlyReport[]): string {
  const title = `Nightly capacity report: ${r.plan}, ${r.date}`;
  const bad = r.services.filter((s) => s.status !== "ok");
  const card = r.regressions > 0 || bad.length > 0
    ? `<div class="card bad"><strong>${r.regressions} regression${r.regressions === 1 ? "" : "s"}</strong> against the baseline` +
      `${bad.length > 0 ? `; <strong>${bad.length} without an SLO-meeting deployment</strong> (${bad.map((s) => esc(`${s.name} x${s.demandScale}`)).join(", ")})` : ""}.</div>`
    : `<div class="card">No regression against the baseline; every service has an SLO-meeting deployment.</div>`;
  const t = r.thresholds;
  const meta = [
    `prices ${r.prices}`, `baseline ${r.baseline ?? "none"}`, `${r.services.length} service × demand-scale rows`,
    `regression: cost +${t.costIncreasePct}%, capacity -${t.capacityDropPct}%${t.headroomDropPct !== undefined ? `, headroom -${t.headroomDropPct}%` : ""}`,
  ];
  return htmlPage({ title, css: CSS, meta, intro: card, body: `<section id="services">
<h2>Services</h2>
${servicesTable(r)}
</section>
<section id="changes">
<h2>Changes against the baseline</h2>
${changesTable(r)}
</section>
<section id="trend">
<h2>Trend over ${history.length} night${history.length === 1 ? "" : "s"}</h2>
<div class="charts">
${trendChart(history, "Cost per hour", "USD per hour", (s) => s.costUsdPerHour, fmtUsd, ["costUsdPerHour"], (v) => `$${fmtTick(v)}`)}
${trendChart(history, "Capacity within the SLO", "req/s", (s) => s.capacityRps, fmtRps, ["capacityRps", "headroom"], fmtTick)}
</div>
</section>
<p class="note">Generated by hisim-tune nightly. Each service's run folder holds its summary.md, report.html and deploy/ commands.</p>` });
}
