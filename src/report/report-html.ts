/**
 * `report.html`: one self-contained page (inline CSS and SVG, no scripts, no fonts or anything else
 * fetched over the network) with the recommendation, the frontier scatter (cost vs capacity and
 * cost vs SLO pressure), latency CDFs of frontier points, the prefix hit-rate curve, the GPU
 * ranking and a table of every point. Every string from inputs is HTML-escaped.
 */
import { bindingTarget, sloPressure } from "../results/pareto.js";
import type { FrontierFile } from "../results/frontier-file.js";
import { LATENCY_CDF_PROBS, type Point, type SloTargets } from "../results/point.js";
import type { ReportContext } from "./context.js";
import {
  describeDeployment, fmtDtypes, fmtDuration, fmtEngine, fmtMs, fmtPct, fmtRps, fmtTiers, fmtUsd, pLabel,
} from "./format.js";
import { rankGpus } from "./gpu-ranking.js";
import { escapeHtml as esc } from "./html-escape.js";
import { htmlPage } from "./html-page.js";
import { renderChart, type LineSeries, type ScatterGroup } from "./svg-chart.js";

/** Okabe-Ito colours (distinguishable with colour-vision deficiencies). */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"];
const MAX_CDF_SERIES = 8;

export const REPORT_CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px auto;max-width:1180px;padding:0 16px;color:#1b1b1b;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#555;margin:0 0 12px}.note{color:#555}
.card{border:1px solid #cfd8e3;background:#f6f9fc;border-radius:6px;padding:10px 14px}
.card.bad{border-color:#e3c3c3;background:#fcf6f6}
table{border-collapse:collapse;margin:8px 0;font-size:13px}th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.frontier td{background:#fff7e6}tr.rec td{background:#e6f4ea;font-weight:600}tr.miss td{color:#777}
.charts{display:flex;flex-wrap:wrap;gap:12px}
svg.chart{max-width:100%;height:auto;border:1px solid #eee;background:#fff}
svg .title{font-size:14px;font-weight:600;fill:#222}svg .tick{font-size:11px;fill:#555}svg .axis{font-size:12px;fill:#333}
svg .legend{font-size:11px;fill:#333}svg .grid{stroke:#eee}svg .frame{fill:none;stroke:#bbb}
svg .ref{stroke:#b00;stroke-dasharray:5 4}svg .reflabel{font-size:11px;fill:#b00}
code{font-size:12px;background:#f3f3f3;padding:0 3px;border-radius:3px}
`;

function shortLabel(p: Point): string {
  const d = p.deployment;
  return `${d.replicas}x ${d.gpu} tp${d.tp} ${d.router.policy}`;
}

function pointTitle(p: Point, t: SloTargets): string {
  return `${describeDeployment(p.deployment)}\nid ${p.id}\n$${p.costUsdPerHour.toFixed(2)}/h, ${fmtUsd(p.usdPerMillionTokens)}/1M tok, ` +
    `capacity ${fmtRps(p.capacityRps)} req/s\nTTFT ${fmtMs(p.latency.ttftMs)} ms, TPOT ${fmtMs(p.latency.tpotMs)} ms, ` +
    `SLO pressure ${fmtPct(sloPressure(p, t), 0)}${p.sloMet ? "" : " (misses the SLO)"}${p.note ? `\n${p.note}` : ""}`;
}

function scatterGroups(file: FrontierFile, t: SloTargets, y: (p: Point) => number): ScatterGroup[] {
  const front = new Set(file.frontier.map((p) => p.id));
  const rec = file.recommended;
  const pts = (ps: Point[]) => ps.map((p) => ({ x: p.costUsdPerHour, y: y(p), label: pointTitle(p, t) }));
  const groups: ScatterGroup[] = [
    { name: "misses the SLO", color: "#aaaaaa", shape: "cross", r: 3.5, points: pts(file.points.filter((p) => !p.sloMet)) },
    { name: "meets the SLO", color: "#56B4E9", shape: "dot", r: 3.5, points: pts(file.points.filter((p) => p.sloMet && !front.has(p.id))) },
    { name: "frontier", color: "#D55E00", shape: "diamond", r: 6, points: pts(file.frontier) },
  ];
  if (rec) groups.push({ name: "recommended", color: "#000000", shape: "ring", r: 10, points: pts([rec]) });
  return groups;
}

function frontierCharts(file: FrontierFile, t: SloTargets): string {
  if (file.points.length === 0) return `<p class="note">No points were evaluated.</p>`;
  const usd = (v: number) => `$${v >= 100 ? v.toFixed(0) : v.toFixed(1)}`;
  const capacity = renderChart({
    title: "Capacity vs cost",
    x: { label: "cost, USD per hour", format: usd },
    y: { label: "capacity within the SLO, req/s" },
    groups: scatterGroups(file, t, (p) => p.capacityRps),
    refs: file.demandRps > 0 ? [{ axis: "y", value: file.demandRps, label: `demand ${fmtRps(file.demandRps)} req/s` }] : [],
  });
  const finite = file.points.map((p) => sloPressure(p, t)).filter(Number.isFinite);
  const yMax = Math.min(Math.max(1.2, ...finite) * 1.05, 3);
  const pressure = renderChart({
    title: "SLO pressure vs cost (highest latency / target)",
    x: { label: "cost, USD per hour", format: usd },
    y: { label: "SLO pressure", min: 0, max: yMax, format: (v) => `${Math.round(v * 100)}%` },
    groups: scatterGroups(file, t, (p) => sloPressure(p, t)),
    refs: [{ axis: "y", value: 1, label: "target" }],
  });
  return `<div class="charts">\n${capacity}\n${pressure}\n</div>`;
}

function cdfCharts(file: FrontierFile, t: SloTargets): string {
  const withCdf = [...(file.recommended ? [file.recommended] : []), ...file.frontier]
    .filter((p, i, a) => p.cdf && a.findIndex((q) => q.id === p.id) === i)
    .slice(0, MAX_CDF_SERIES);
  if (withCdf.length === 0) return `<p class="note">No latency distributions were recorded for the frontier points.</p>`;
  const chart = (key: "ttftMs" | "tpotMs", name: string) => {
    const series: LineSeries[] = withCdf.map((p, i) => ({
      name: `${p.id === file.recommended?.id ? "rec.: " : ""}${shortLabel(p)}`,
      color: PALETTE[i % PALETTE.length],
      points: p.cdf![key].map((v, j) => [v, LATENCY_CDF_PROBS[j]] as [number, number]),
    }));
    const target = t[key];
    return renderChart({
      title: `${name} CDF (frontier points)`,
      x: { label: `${name}, ms` },
      y: { label: "fraction of requests", min: 0, max: 1 },
      lines: series,
      refs: [
        { axis: "x", value: target.max, label: `target ${fmtMs(target.max)} ms` },
        { axis: "y", value: target.percentile / 100, label: pLabel(target.percentile) },
      ],
    });
  };
  const more = file.frontier.length > MAX_CDF_SERIES ? `<p class="note">The first ${MAX_CDF_SERIES} frontier points are shown.</p>` : "";
  return `<div class="charts">\n${chart("ttftMs", "TTFT")}\n${chart("tpotMs", "TPOT")}\n</div>${more}`;
}

function hitCurveChart(file: FrontierFile): string {
  const curve = file.hitCurve ?? [];
  const bounded = curve.filter((c) => c.capacityTokens > 0).sort((a, b) => a.capacityTokens - b.capacityTokens);
  if (bounded.length === 0) return `<p class="note">No hit-rate curve was computed for this run.</p>`;
  const unbounded = curve.find((c) => c.capacityTokens === 0);
  return renderChart({
    title: "Prefix hit rate vs cache capacity (LRU, stack distance)",
    x: { label: "cache capacity, tokens (log)", log: true },
    y: { label: "hit rate", min: 0, max: 1, format: (v) => `${Math.round(v * 100)}%` },
    lines: [
      { name: "token hit rate", color: PALETTE[0], points: bounded.map((c) => [c.capacityTokens, c.tokenHitRate]) },
      { name: "block hit rate", color: PALETTE[1], dashed: true, points: bounded.map((c) => [c.capacityTokens, c.blockHitRate]) },
    ],
    refs: unbounded ? [{ axis: "y", value: unbounded.tokenHitRate, label: `unbounded ${fmtPct(unbounded.tokenHitRate)}` }] : [],
  });
}

function recommendationCard(file: FrontierFile, t: SloTargets): string {
  const rec = file.recommended;
  if (!rec) {
    const closest = file.closest ?? [];
    const items = closest
      .map((p) => `<li>${esc(describeDeployment(p.deployment))}: SLO pressure ${fmtPct(sloPressure(p, t), 0)}, ${esc(fmtUsd(p.costUsdPerHour))}/h${p.note ? ` (${esc(p.note)})` : ""}</li>`)
      .join("");
    if (file.status === "partial") {
      return `<div class="card bad"><strong>Partial answer: the search was cut before a deployment was confirmed.</strong><p>${esc(file.statusReason ?? "")}</p></div>`;
    }
    return `<div class="card bad"><strong>No evaluated deployment meets every target at ${esc(fmtRps(file.planRps))} req/s.</strong>` +
      (items ? `<p>Closest misses:</p><ul>${items}</ul>` : "") + `</div>`;
  }
  const k = bindingTarget(rec, t);
  const names = { ttftMs: "TTFT", tpotMs: "TPOT", e2eMs: "E2E" } as const;
  return `<div class="card"><strong>${esc(describeDeployment(rec.deployment))}</strong><br>` +
    `${esc(fmtUsd(rec.costUsdPerHour))} per hour · ${esc(fmtUsd(rec.usdPerMillionTokens))} per 1M output tokens · ` +
    `capacity ${rec.capacityAtLeast ? "≥ " : ""}${esc(fmtRps(rec.capacityRps))} req/s (measured) · TTFT ${pLabel(t.ttftMs.percentile)} ${esc(fmtMs(rec.latency.ttftMs))} ms · ` +
    `TPOT ${pLabel(t.tpotMs.percentile)} ${esc(fmtMs(rec.latency.tpotMs))} ms · binding target ${names[k]} ` +
    `(${fmtPct(sloPressure(rec, t), 0)} of it)<br><span class="note">The cheapest per hour of the deployments confirmed to meet every target ` +
    `on seeds ${esc(rec.confirmedSeeds.join(", "))} (full workload). id <code>${esc(rec.id)}</code></span>` +
    `${file.status === "partial" ? `<p>${esc(file.statusReason ?? "")}</p>` : ""}</div>`;
}

function targetsLine(t: SloTargets): string {
  const parts = [`TTFT ${pLabel(t.ttftMs.percentile)} ≤ ${fmtMs(t.ttftMs.max)} ms`, `TPOT ${pLabel(t.tpotMs.percentile)} ≤ ${fmtMs(t.tpotMs.max)} ms`];
  if (t.e2eMs) parts.push(`E2E ${pLabel(t.e2eMs.percentile)} ≤ ${fmtMs(t.e2eMs.max)} ms`);
  if (t.minThroughputRps !== undefined) parts.push(`throughput ≥ ${fmtRps(t.minThroughputRps)} req/s`);
  return parts.map(esc).join(" · ");
}

function gpuTable(file: FrontierFile, ctx: ReportContext): string {
  const ranks = rankGpus(file.points, ctx.spaceGpus, file.screened);
  if (ranks.length === 0) return `<p class="note">No points were evaluated.</p>`;
  let rank = 0;
  const rows = ranks.map((r) =>
    `<tr><td class="num">${r.best ? ++rank : "-"}</td><td>${esc(r.gpu)}</td>` +
    `<td class="num">${r.best ? esc(fmtUsd(r.best.usdPerMillionTokens)) : "-"}</td><td class="num">${r.best ? esc(fmtUsd(r.best.costUsdPerHour)) : "-"}</td>` +
    `<td>${r.best ? esc(describeDeployment(r.best.deployment)) : `none meets the SLO: ${esc(r.reason ?? "")}`}</td><td class="num">${r.met} / ${r.evaluated}</td></tr>`,
  );
  return `<table><thead><tr><th>Rank</th><th>GPU</th><th>Best $/1M tok</th><th>$/h</th><th>Deployment</th><th>Meet SLO / evaluated</th></tr></thead>` +
    `<tbody>${rows.join("\n")}</tbody></table>`;
}

function pointsTable(file: FrontierFile, t: SloTargets): string {
  const front = new Set(file.frontier.map((p) => p.id));
  const recId = file.recommended?.id;
  const sorted = [...file.points].sort(
    (a, b) => Number(b.sloMet) - Number(a.sloMet) || a.costUsdPerHour - b.costUsdPerHour || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const e2e = t.e2eMs !== undefined;
  const head = ["", "Stage", "GPU", "TP", "Replicas", "Weights/KV", "Engine", "Router", "KV tiers",
    `TTFT ${pLabel(t.ttftMs.percentile)} ms`, `TPOT ${pLabel(t.tpotMs.percentile)} ms`, ...(e2e ? [`E2E ${pLabel(t.e2eMs!.percentile)} ms`] : []),
    "Pressure", "Capacity req/s", "$/h", "$/1M tok", "Hit rate", "Note"];
  const rows = sorted.map((p) => {
    const d = p.deployment;
    const cls = p.id === recId ? "rec" : front.has(p.id) ? "frontier" : p.sloMet ? "" : "miss";
    const mark = p.id === recId ? "rec." : front.has(p.id) ? "frontier" : p.sloMet ? "" : "miss";
    const num = (s: string) => `<td class="num">${esc(s)}</td>`;
    return `<tr${cls ? ` class="${cls}"` : ""} title="${esc(p.id)}"><td>${mark}</td>${num(String(p.stage))}<td>${esc(d.gpu)}</td>${num(String(d.tp))}${num(String(d.replicas))}` +
      `<td>${esc(fmtDtypes(d))}</td><td>${esc(fmtEngine(d))}</td><td>${esc(d.router.policy)}</td><td>${esc(fmtTiers(d))}</td>` +
      `${num(fmtMs(p.latency.ttftMs))}${num(fmtMs(p.latency.tpotMs))}${e2e ? num(fmtMs(p.latency.e2eMs)) : ""}${num(fmtPct(sloPressure(p, t), 0))}` +
      `${num(fmtRps(p.capacityRps))}${num(fmtUsd(p.costUsdPerHour))}${num(fmtUsd(p.usdPerMillionTokens))}${num(fmtPct(p.prefixHitRate))}<td>${esc(p.note ?? "")}</td></tr>`;
  });
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>\n${rows.join("\n")}\n</tbody></table>`;
}

/** Renders the whole report page. */
export function renderReportHtml(file: FrontierFile, ctx: ReportContext): string {
  const t = ctx.targets;
  const title = `hisim-tune${ctx.sloName ? `: ${ctx.sloName}` : ""}`;
  const meta = [
    `run ${file.runId}`,
    ctx.model ? `model ${ctx.model}` : undefined,
    `demand ${fmtRps(file.demandRps)} req/s`,
    `prices ${file.prices}`,
    `${file.points.length} deployments, ${file.runs} simulations in ${fmtDuration(file.wallS)}`,
    ctx.seed !== undefined ? `seed ${ctx.seed}` : undefined,
  ].filter((s): s is string => s !== undefined);
  const asked = [
    ctx.workload ? `<li>Workload: ${esc(ctx.workload)}</li>` : "",
    ctx.searchSpace ? `<li>Search space: ${esc(ctx.searchSpace)}</li>` : "",
    `<li>Targets: ${targetsLine(t)}</li>`,
  ].join("");
  const stages = ctx.stages && ctx.stages.length > 0
    ? `<table><thead><tr><th>Stage</th><th>What</th><th>Runs</th><th>Wall time</th></tr></thead><tbody>` +
      ctx.stages.map((s) => `<tr><td class="num">${s.stage}</td><td>${esc(s.name)}</td><td class="num">${s.runs}</td><td class="num">${s.wallS === undefined ? "-" : esc(fmtDuration(s.wallS))}</td></tr>`).join("") +
      `</tbody></table>`
    : "";
  return htmlPage({ title, css: REPORT_CSS, meta, intro: `<ul>${asked}</ul>`, body: `<section id="recommendation">
<h2>Recommendation</h2>
${recommendationCard(file, t)}
</section>
<section id="frontier">
<h2>Frontier</h2>
<p class="note">The frontier holds the deployments that meet the SLO and that no other such deployment beats on SLO pressure (the highest latency / target ratio), capacity and cost per hour all at once.</p>
${frontierCharts(file, t)}
</section>
<section id="latency">
<h2>Latency distributions</h2>
${cdfCharts(file, t)}
</section>
<section id="hit-curve">
<h2>Prefix cache hit rate</h2>
${hitCurveChart(file)}
</section>
<section id="gpus">
<h2>GPU SKUs ranked by best USD per 1M tokens</h2>
${gpuTable(file, ctx)}
</section>
<section id="points">
<h2>All evaluated deployments</h2>
${pointsTable(file, t)}
</section>
<section id="run">
<h2>Run</h2>
${stages}
<p class="note">Generated by hisim-tune${ctx.version ? ` ${esc(ctx.version)}` : ""}${ctx.workers !== undefined ? ` with ${ctx.workers} worker threads` : ""}${ctx.exhaustive ? " (exhaustive grid)" : ""}${ctx.reusedTrials ? `; ${ctx.reusedTrials} trials reused from an earlier attempt` : ""}.</p>
</section>` });
}
