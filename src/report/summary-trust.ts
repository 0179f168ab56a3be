/**
 * The parts of `summary.md` that say how far the answer can be trusted: the run's status (a cut
 * or infeasible search says so first), how many requests each verdict rested on, how the frontier
 * was confirmed on other seeds and its capacities measured, and what stage 1 screened out and why.
 */
import type { FrontierFile, ScreenedConfig, ScreenReason, VerdictBasis } from "../results/frontier-file.js";
import type { Point, SloTargets } from "../results/point.js";
import { describeDeployment, fmtMs, fmtRps, fmtUsd, pLabel } from "./format.js";
import { mdTable, mdText } from "./markdown.js";

const METRIC: Record<VerdictBasis["metric"], string> = { ttftMs: "TTFT", tpotMs: "TPOT", e2eMs: "E2E" };

/** Words for a stage-1 reason code. */
export const SCREEN_REASON_TEXT: Record<ScreenReason, string> = {
  memory: "does not fit in memory",
  shape: "shape (TP vs heads or node)",
  constraints: "excluded by the space's constraints",
  "decode-tpot": "decode step too slow for the TPOT target",
  "lone-prefill-ttft": "a lone p99 prefill breaks the TTFT target",
  dominated: "dominated (estimated costlier and slower than another)",
  "ranked-out": "ranked out (beyond the cheapest estimates)",
};

/** "## Partial answer" or "## Infeasible" at the top when the status is not ok. */
export function statusSection(file: FrontierFile): string[] {
  if (file.status === "ok") return [];
  const title = file.status === "partial" ? "## Partial answer: the search was cut" : "## Infeasible: no deployment meets the SLO";
  return [title, "", mdText(file.statusReason ?? ""), ""];
}

/** "## Requests per verdict": per target, the requests its percentile rested on. */
export function verdictSection(file: FrontierFile): string[] {
  if (file.verdicts.length === 0) return [];
  const out = ["## Requests per verdict", ""];
  const tail = file.verdicts[0].tailTarget;
  out.push(
    `Each percentile target should rest on a tail of at least ${tail} requests (p99: 5,000 requests that count for the metric; ` +
      "TPOT counts only requests with two or more output tokens). Every trial is rescaled to exactly the rate it simulates. Search " +
      "trials replay the whole workload, or, when it is more than ten times that, the fewest leading requests that give every target " +
      "its tail; confirmation runs replay the whole workload of their seed.",
    "",
  );
  const rows = file.verdicts.map((v) => [
    METRIC[v.metric], pLabel(v.percentile), String(v.requestsNeeded), String(v.workloadRequests), String(v.trialRequests),
    String(v.trialTailRequests), String(v.confirmRequests),
    v.enough ? "enough" : `workload too small: all ${v.workloadRequests} used, the tail holds ${v.trialTailRequests}`,
  ]);
  out.push(mdTable(["Target", "Percentile", "Requests needed", "In the workload", "Fewest in a search trial", "Tail", "Per confirmation run", "Verdict basis"], rows,
    ["l", "l", "r", "r", "r", "r", "r", "l"]), "");
  return out;
}

function seedCell(p: Point, t: SloTargets): string {
  const c = p.confirmation;
  if (!c) return "-";
  return c.seeds.map((s) => {
    const lat = `${fmtMs(s.latency.ttftMs)}/${fmtMs(s.latency.tpotMs)}${t.e2eMs ? `/${fmtMs(s.latency.e2eMs)}` : ""}`;
    return `${s.seed}: ${s.sloMet ? "met" : "missed"} (${s.earlyStopped ? "≥" : ""}${lat})`;
  }).join("<br>");
}

/** "## Confirmation": every point the confirmation stage ran, its seeds, and its capacity. */
export function confirmationSection(file: FrontierFile, t: SloTargets): string[] {
  const tried = file.points.filter((p) => p.confirmation);
  const out = ["## Confirmation and capacity", ""];
  const headroom = file.headroom > 0 ? ` (demand ${fmtRps(file.demandRps)} x (1 + headroom ${file.headroom}))` : "";
  out.push(
    `Before a deployment is called SLO-meeting in the frontier or recommended, it is simulated on the full workload of each of ` +
      `${file.confirmSeeds.length} other seeds (${file.confirmSeeds.join(", ")}; the search used seed ${file.seed}) at ${fmtRps(file.planRps)} req/s${headroom}, ` +
      "and must meet every target under each; one that fails is replaced by the same deployment with one more replica, or by the next candidate. " +
      `A frontier point's capacity is the highest rate (to 2.5%) at which it meets every target on those seeds and ${file.capacitySeeds.length - file.confirmSeeds.length} more ` +
      `(${file.capacitySeeds.join(", ")}); a deployment whose capacity is the planned rate itself is not confirmed; other points' capacities are estimates.`,
    "",
  );
  if (tried.length === 0) {
    out.push("No point reached confirmation.", "");
    return out;
  }
  const lat = `TTFT/TPOT${t.e2eMs ? "/E2E" : ""} ms at ${pLabel(t.ttftMs.percentile)}/${pLabel(t.tpotMs.percentile)}${t.e2eMs ? `/${pLabel(t.e2eMs.percentile)}` : ""}`;
  const rows = tried.map((p) => [
    `${mdText(describeDeployment(p.deployment))}<br>\`${p.id}\``,
    p.confirmedSeeds.length > 0 ? "confirmed" : p.sloMet ? "not confirmed (run cut)" : "failed",
    seedCell(p, t),
    p.capacityEstimated ? `${fmtRps(p.capacityRps)} (estimate)` : `${p.capacityAtLeast ? "≥ " : ""}${fmtRps(p.capacityRps)}`,
  ]);
  out.push(mdTable(["Deployment", "Verdict", `Per seed: ${lat}`, "Capacity req/s"], rows, ["l", "l", "l", "r"]), "");
  return out;
}

/** "## Screened out in stage 1": every configuration stage 1 dropped, grouped by reason. */
export function screenedSection(screened: readonly ScreenedConfig[]): string[] {
  if (screened.length === 0) return [];
  const out = ["## Screened out in stage 1", ""];
  const counts = new Map<ScreenReason, number>();
  for (const s of screened) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  out.push(`${screened.length} configurations were not simulated: ${[...counts].map(([r, n]) => `${n} ${SCREEN_REASON_TEXT[r]}`).join("; ")}.`, "");
  const rows = screened.map((s) => [mdText(s.gpu), String(s.tp), `${mdText(s.weights)}/${mdText(s.kvDtype)}`, mdText(s.engine), mdText(s.reason), mdText(s.detail)]);
  out.push(mdTable(["GPU", "TP", "Wt/KV", "Engine", "Reason", "Detail"], rows, ["l", "r", "l", "l", "l", "l"]), "");
  return out;
}

/** "## KV tiers (stage 3)": per stage-2 winner, each tier option and what it did to cost and TTFT. */
export function tierSection(file: FrontierFile, t: SloTargets): string[] {
  if (file.tierTrials.length === 0) return [];
  const out = ["## KV tiers (stage 3)", ""];
  out.push(
    `Host memory (L2) and storage (L3) options, each tried on a stage-2 winner from its replica count down; an option is kept when it ` +
      `lowers the cost, or at equal cost the SLO pressure, below the best so far (prices: ${mdText(file.prices)}).`,
    "",
  );
  const byId = new Map(file.points.map((p) => [p.id, p]));
  for (const baseId of [...new Set(file.tierTrials.map((x) => x.baseId))]) {
    const base = byId.get(baseId);
    if (base) out.push(`On ${mdText(describeDeployment(base.deployment))}: ${fmtUsd(base.costUsdPerHour)}/h, TTFT ${pLabel(t.ttftMs.percentile)} ${fmtMs(base.latency.ttftMs)} ms.`, "");
    const rows = file.tierTrials.filter((x) => x.baseId === baseId).map((x) => [
      mdText(x.option), x.outcome, x.replicas === undefined ? "-" : String(x.replicas), x.costUsdPerHour === undefined ? "-" : fmtUsd(x.costUsdPerHour),
      x.ttftMs === undefined ? "-" : fmtMs(x.ttftMs), mdText(x.reason ?? ""),
    ]);
    out.push(mdTable(["Tiers", "Outcome", "Replicas", "$/h", `TTFT ${pLabel(t.ttftMs.percentile)} ms`, "Why"], rows, ["l", "l", "r", "r", "r", "l"]), "");
  }
  return out;
}
