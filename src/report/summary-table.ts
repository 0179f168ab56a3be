/**
 * The stdout summary of the main command: the recommendation in one line, then a cli-table3 table of
 * the frontier (or of the closest misses when nothing meets the SLO), then one line of run stats.
 */
import { sloPressure } from "../results/pareto.js";
import type { FrontierFile } from "../results/frontier-file.js";
import type { Point, SloTargets } from "../results/point.js";
import { describeDeployment, fmtDuration, fmtDtypes, fmtEngine, fmtMs, fmtPct, fmtRps, fmtTiersShort, fmtUsd, pLabel } from "./format.js";
import { newTable } from "./table.js";

function pointsTable(points: readonly Point[], recId: string | undefined, targets?: SloTargets): string {
  const p = (k: "ttftMs" | "tpotMs") => (targets ? ` ${pLabel(targets[k].percentile)}` : "");
  const head = ["", "Replicas x GPU", "Wt/KV", "Engine", "Router", "KV tiers", `TTFT${p("ttftMs")} ms`, `TPOT${p("tpotMs")} ms`];
  if (targets) head.push("Pressure");
  head.push("Cap. req/s", "$/h", "$/1M tok");
  const align = head.map((_, i) => (i >= 6 ? "right" : "left") as "left" | "right");
  const t = newTable(head, align);
  for (const pt of points) {
    const d = pt.deployment;
    const row = [
      pt.id === recId ? "*" : "", `${d.replicas} x ${d.gpu} tp${d.tp}`, fmtDtypes(d), fmtEngine(d), d.router.policy,
      fmtTiersShort(d), fmtMs(pt.latency.ttftMs), fmtMs(pt.latency.tpotMs),
    ];
    if (targets) row.push(fmtPct(sloPressure(pt, targets), 0));
    row.push(fmtRps(pt.capacityRps), fmtUsd(pt.costUsdPerHour), fmtUsd(pt.usdPerMillionTokens));
    t.push(row);
  }
  return t.toString();
}

/**
 * Text for stdout (ends in a newline). `targets`, when given, adds percentile labels and the SLO
 * pressure column.
 */
export function formatSummaryTable(file: FrontierFile, targets?: SloTargets): string {
  const out: string[] = [];
  const rec = file.recommended;
  if (rec) {
    out.push(`Recommended: ${describeDeployment(rec.deployment)}`);
    out.push(
      `  ${fmtUsd(rec.costUsdPerHour)}/h, ${fmtUsd(rec.usdPerMillionTokens)} per 1M tokens, capacity ${rec.capacityAtLeast ? ">= " : ""}${fmtRps(rec.capacityRps)} req/s ` +
        `(demand ${fmtRps(file.demandRps)}), TTFT ${fmtMs(rec.latency.ttftMs)} ms, TPOT ${fmtMs(rec.latency.tpotMs)} ms; prices: ${file.prices}`,
    );
    out.push(`  confirmed on seeds ${rec.confirmedSeeds.join(", ")} (full workload at ${fmtRps(file.planRps)} req/s)`);
    out.push("");
    out.push(`Frontier (${file.frontier.length} point${file.frontier.length === 1 ? "" : "s"}; * = recommended; every one confirmed, capacities measured):`);
    out.push(pointsTable(file.frontier, rec.id, targets));
  } else if (file.status === "partial") {
    out.push("No confirmed deployment: the search was cut before one was confirmed (see below).");
  } else {
    out.push(`No deployment meets the SLO at ${fmtRps(file.planRps)} req/s.`);
    const closest = file.closest ?? [];
    if (closest.length > 0) {
      out.push("Closest misses:");
      out.push(pointsTable(closest, undefined, targets));
      for (const p of closest) if (p.note) out.push(`  ${p.id}: ${p.note}`);
    }
  }
  out.push(`${file.points.length} deployments evaluated, ${file.runs} simulations in ${fmtDuration(file.wallS)} (run ${file.runId})`);
  return `${out.join("\n")}\n`;
}
