/**
 * `summary.md`: what was asked, the recommended deployment and why, the frontier, GPU SKUs ranked by
 * cost efficiency, the closest misses when nothing meets the SLO, and run statistics.
 * Deterministic: same file and context, same bytes.
 */
import { bindingTarget, sloPressure } from "../results/pareto.js";
import type { FrontierFile } from "../results/frontier-file.js";
import type { Point, SloTargets } from "../results/point.js";
import type { DeployView, ReportContext } from "./context.js";
import { describeDeployment, fmtDuration, fmtMs, fmtPct, fmtRps, fmtUsd, pLabel } from "./format.js";
import { rankGpus } from "./gpu-ranking.js";
import { mdTable, mdText } from "./markdown.js";
import { confirmationSection, screenedSection, statusSection, tierSection, verdictSection } from "./summary-trust.js";

export { mdText };
const table = mdTable;

const TARGET_NAMES = { ttftMs: "TTFT", tpotMs: "TPOT", e2eMs: "E2E" } as const;

function latencyCols(t: SloTargets): string[] {
  const cols = [`TTFT ${pLabel(t.ttftMs.percentile)} ms`, `TPOT ${pLabel(t.tpotMs.percentile)} ms`];
  if (t.e2eMs) cols.push(`E2E ${pLabel(t.e2eMs.percentile)} ms`);
  return cols;
}

function latencyCells(p: Point, t: SloTargets): string[] {
  const cells = [fmtMs(p.latency.ttftMs), fmtMs(p.latency.tpotMs)];
  if (t.e2eMs) cells.push(fmtMs(p.latency.e2eMs));
  return cells;
}

function pointTable(points: readonly Point[], t: SloTargets, recId: string | undefined, withNote = false): string {
  const head = ["", "Deployment", ...latencyCols(t), "SLO pressure", "Capacity req/s", "$/h", "$/1M tok"];
  if (withNote) head.push("Why it misses");
  const rows = points.map((p) => {
    const r = [
      p.id === recId ? "**rec.**" : "",
      `${mdText(describeDeployment(p.deployment))}<br>\`${p.id.replace(/`/g, "'")}\``,
      ...latencyCells(p, t),
      fmtPct(sloPressure(p, t), 0),
      fmtRps(p.capacityRps),
      fmtUsd(p.costUsdPerHour),
      fmtUsd(p.usdPerMillionTokens),
    ];
    if (withNote) r.push(mdText(p.note ?? ""));
    return r;
  });
  return table(head, rows, head.map((_, i) => (i >= 2 && i < head.length - (withNote ? 1 : 0) ? "r" : "l")));
}

function askedSection(file: FrontierFile, ctx: ReportContext): string[] {
  const t = ctx.targets;
  const out = ["## What was asked", ""];
  if (ctx.model) out.push(`- Model: ${mdText(ctx.model)}`);
  if (ctx.workload) out.push(`- Workload: ${mdText(ctx.workload)}`);
  if (ctx.searchSpace) out.push(`- Search space: ${mdText(ctx.searchSpace)}`);
  out.push(`- Demanded throughput: ${fmtRps(file.demandRps)} req/s`);
  out.push(`- Prices: ${mdText(file.prices)} (every cost below)`);
  out.push("");
  const rows = [
    ["TTFT", pLabel(t.ttftMs.percentile), `≤ ${fmtMs(t.ttftMs.max)} ms`],
    ["TPOT", pLabel(t.tpotMs.percentile), `≤ ${fmtMs(t.tpotMs.max)} ms`],
  ];
  if (t.e2eMs) rows.push(["E2E", pLabel(t.e2eMs.percentile), `≤ ${fmtMs(t.e2eMs.max)} ms`]);
  if (t.minThroughputRps !== undefined) rows.push(["Throughput", "", `≥ ${fmtRps(t.minThroughputRps)} req/s`]);
  out.push(table(["Target", "Percentile", "Limit"], rows.map((r) => r.map(mdText))), "");
  return out;
}

function recommendationSection(file: FrontierFile, ctx: ReportContext): string[] {
  const t = ctx.targets;
  const rec = file.recommended;
  if (!rec) return [];
  const met = file.points.filter((p) => p.sloMet);
  const out = ["## Recommended deployment", "", `**${mdText(describeDeployment(rec.deployment))}** (\`${rec.id.replace(/`/g, "'")}\`)`, ""];
  out.push(`- Cost: ${fmtUsd(rec.costUsdPerHour)} per hour, ${fmtUsd(rec.usdPerMillionTokens)} per 1M output tokens.`);
  const lat = (["ttftMs", "tpotMs", "e2eMs"] as const)
    .filter((k) => k !== "e2eMs" || (t.e2eMs && rec.latency.e2eMs !== undefined))
    .map((k) => {
      const target = t[k]!;
      const v = rec.latency[k]!;
      return `${TARGET_NAMES[k]} ${pLabel(target.percentile)} ${fmtMs(v)} ms (${fmtPct(v / target.max, 0)} of ${fmtMs(target.max)} ms)`;
    });
  out.push(`- Latency at ${fmtRps(file.demandRps)} req/s: ${lat.join(", ")}; ${TARGET_NAMES[bindingTarget(rec, t)]} is the binding target.`);
  const headroom = file.demandRps > 0 ? ` (${(rec.capacityRps / file.demandRps).toFixed(2)}x the demand)` : "";
  out.push(`- Capacity within the SLO: ${fmtRps(rec.capacityRps)} req/s${headroom}; prefix hit rate ${fmtPct(rec.prefixHitRate)}.`);
  const others = met.filter((p) => p.id !== rec.id).sort((a, b) => a.costUsdPerHour - b.costUsdPerHour || sloPressure(a, t) - sloPressure(b, t) || (a.id < b.id ? -1 : 1));
  let why = `- Why: the lowest cost per hour of the ${met.length} evaluated deployment${met.length === 1 ? "" : "s"} that meet every target`;
  if (others.length > 0) {
    const nx = others[0];
    const delta = rec.costUsdPerHour > 0 ? ` (+${fmtPct(nx.costUsdPerHour / rec.costUsdPerHour - 1)})` : "";
    why += `. The next cheapest, ${mdText(describeDeployment(nx.deployment))}, costs ${fmtUsd(nx.costUsdPerHour)}/h${delta}`;
  }
  out.push(`${why}.`);
  const perToken = [...met].sort((a, b) => a.usdPerMillionTokens - b.usdPerMillionTokens || a.costUsdPerHour - b.costUsdPerHour || (a.id < b.id ? -1 : 1))[0];
  if (perToken && perToken.id !== rec.id && perToken.usdPerMillionTokens < rec.usdPerMillionTokens) {
    out.push(`- Lowest cost per token: ${mdText(describeDeployment(perToken.deployment))} at ${fmtUsd(perToken.usdPerMillionTokens)} per 1M tokens, ` +
      `but ${fmtUsd(perToken.costUsdPerHour)}/h: it buys capacity (${fmtRps(perToken.capacityRps)} req/s) beyond the demand.`);
  }
  out.push("");
  return out;
}

function deploySection(d: DeployView): string[] {
  const out = ["## Deploy", "", `${d.replicas} replica${d.replicas === 1 ? "" : "s"} on ${d.nodes} node${d.nodes === 1 ? "" : "s"}, ${mdText(d.engine)}; ` +
    "the scripts are in `deploy/` (one per node, and the router). Replica 0:", "", "```sh", d.firstReplica, "```", ""];
  if (d.replicas > 1) out.push("The other replicas differ only in node, GPUs and port.", "");
  if (d.router) out.push("Router:", "", "```sh", d.router, "```", "");
  if (d.notes.length > 0) out.push(...d.notes.map((n) => `- ${mdText(n)}`), "");
  if (d.alternative) {
    out.push(`With a released sglang-router instead: deployment \`${d.alternative.pointId}\` at ${fmtUsd(d.alternative.costUsdPerHour)}/h (\`deploy/released-router/\`).`, "");
    if (d.alternative.router) out.push("```sh", d.alternative.router, "```", "");
  }
  return out;
}

/** Renders `summary.md`. */
export function renderSummaryMarkdown(file: FrontierFile, ctx: ReportContext): string {
  const t = ctx.targets;
  const recId = file.recommended?.id;
  const out: string[] = [`# hisim-tune search${ctx.sloName ? `: ${mdText(ctx.sloName)}` : ""}`, ""];
  out.push(`Run \`${file.runId.replace(/`/g, "'")}\` · ${file.points.length} deployments evaluated · ${file.runs} simulations in ${fmtDuration(file.wallS)}`, "");
  out.push(...statusSection(file));
  out.push(...askedSection(file, ctx));

  if (file.recommended) {
    out.push(...recommendationSection(file, ctx));
  } else if (file.status === "partial") {
    out.push("## No confirmed deployment yet", "");
    out.push(`The search was cut before any of the ${file.points.length} deployments it evaluated was confirmed on other seeds; this does not mean none meets the SLO.`, "");
  } else {
    out.push("## No deployment meets the SLO", "");
    out.push(`None of the ${file.points.length} evaluated deployments meets every target at ${fmtRps(file.planRps)} req/s (confirmed on other seeds).`, "");
    const closest = file.closest ?? [];
    if (closest.length > 0) {
      out.push("The closest misses (SLO pressure = highest latency / target ratio; 100% = exactly at the target):", "");
      out.push(pointTable(closest, t, undefined, true), "");
    }
  }

  if (ctx.deploy) out.push(...deploySection(ctx.deploy));

  out.push("## Frontier", "");
  if (file.frontier.length === 0) {
    out.push("Empty: no point meets the SLO.", "");
  } else {
    out.push(
      `${file.frontier.length} deployment${file.frontier.length === 1 ? " is" : "s are"} not dominated on (SLO pressure down, capacity up, cost per hour down) ` +
        "among those that meet the SLO. SLO pressure is the highest ratio of a latency to its target.",
      "",
      pointTable(file.frontier, t, recId),
      "",
    );
  }

  out.push(...confirmationSection(file, t));
  out.push(...tierSection(file, t));
  out.push(...verdictSection(file));

  out.push("## GPU SKUs ranked by best USD per 1M tokens", "");
  const ranks = rankGpus(file.points, ctx.spaceGpus, file.screened);
  if (ranks.length === 0) {
    out.push("No points were evaluated.", "");
  } else {
    let rank = 0;
    const rows = ranks.map((r) => [
      r.best ? String(++rank) : "-",
      mdText(r.gpu),
      r.best ? fmtUsd(r.best.usdPerMillionTokens) : "-",
      r.best ? fmtUsd(r.best.costUsdPerHour) : "-",
      r.best ? mdText(describeDeployment(r.best.deployment)) : `none meets the SLO: ${mdText(r.reason ?? "")}`,
      r.best ? (r.best.confirmedSeeds.length > 0 ? "yes" : "no (off the frontier)") : "-",
      `${r.met} / ${r.evaluated}`,
    ]);
    out.push(table(["Rank", "GPU", "Best $/1M tok", "$/h", "Deployment", "Confirmed", "Meet SLO / evaluated"], rows, ["r", "l", "r", "r", "l", "l", "r"]), "");
  }
  out.push(...screenedSection(file.screened));

  out.push("## Run", "");
  out.push(`- Run id: \`${file.runId.replace(/`/g, "'")}\``);
  out.push(`- Simulations: ${file.runs}${ctx.reusedTrials ? ` (${ctx.reusedTrials} reused from an earlier attempt)` : ""}; wall time ${fmtDuration(file.wallS)}`);
  out.push(`- Deployments evaluated: ${file.points.length}, meeting the SLO: ${file.points.filter((p) => p.sloMet).length}, on the frontier: ${file.frontier.length}`);
  if (ctx.exhaustive) out.push("- Mode: exhaustive grid (--exhaustive)");
  if (ctx.collapsed) out.push(`- ${ctx.collapsed} deployments simulated identically to another one (e.g. a batch cap never reached) and were merged into it (\`equivalentIds\`)`);
  if (ctx.seed !== undefined) out.push(`- Seed: ${ctx.seed}`);
  if (ctx.workers !== undefined) out.push(`- Worker threads: ${ctx.workers}`);
  if (ctx.version) out.push(`- hisim-tune ${mdText(ctx.version)}`);
  if (ctx.stages && ctx.stages.length > 0) {
    out.push("");
    out.push(table(
      ["Stage", "What", "Runs", "Wall time"],
      ctx.stages.map((s) => [String(s.stage), mdText(s.name), String(s.runs), s.wallS === undefined ? "-" : fmtDuration(s.wallS)]),
      ["r", "l", "r", "r"],
    ));
  }
  out.push("");
  return out.join("\n");
}
