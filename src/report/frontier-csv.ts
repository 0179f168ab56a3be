/**
 * `frontier.csv`: one row per evaluated point (in `points` order), RFC 4180 quoting, LF line ends.
 * Latency columns carry the SLO percentile in their names (`ttftP99Ms`); numbers are written at
 * full precision, missing or non-finite values as empty fields.
 */
import type { FrontierFile } from "../results/frontier-file.js";
import type { Point, SloTargets } from "../results/point.js";

/** Quotes a field when it holds a comma, quote, CR or LF (quotes doubled). */
export function csvField(v: string | number | boolean | undefined | null): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(Object.is(v, -0) ? 0 : v) : "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** `p` as a column-name fragment: 99 -> "P99", 99.9 -> "P99_9". */
function pcol(percentile: number | undefined): string {
  return percentile === undefined ? "" : `P${String(percentile).replace(".", "_")}`;
}

/** Column names, in order. */
export function frontierCsvHeader(targets?: SloTargets): string[] {
  return [
    "id", "stage", "gpu", "tp", "weights", "kvDtype", "engine", "maxRunningRequests", "chunkedPrefillSize",
    "replicas", "routerPolicy", "l2CapacityGb", "l3Media", "l3CapacityGb", "evictionPolicy", "prefetchPolicy",
    "writePolicy", `ttft${pcol(targets?.ttftMs.percentile)}Ms`, `tpot${pcol(targets?.tpotMs.percentile)}Ms`,
    `e2e${pcol(targets?.e2eMs?.percentile)}Ms`, "capacityRps", "capacityEstimated", "costUsdPerHour", "usdPerMillionTokens",
    "prices", "prefixHitRate", "sloMet", "confirmedSeeds", "onFrontier", "recommended", "note",
  ];
}

function row(p: Point, onFrontier: boolean, recommended: boolean, prices: string): Array<string | number | boolean | undefined> {
  const d = p.deployment;
  return [
    p.id, p.stage, d.gpu, d.tp, d.weights, d.kvDtype, d.engine.kind, d.engine.maxRunningRequests,
    d.engine.chunkedPrefillSize, d.replicas, d.router.policy, d.kvCache.l2?.capacityGb ?? 0,
    d.kvCache.l3?.media ?? "", d.kvCache.l3?.capacityGb ?? 0, d.kvCache.evictionPolicy, d.kvCache.prefetchPolicy,
    d.kvCache.writePolicy, p.latency.ttftMs, p.latency.tpotMs, p.latency.e2eMs, p.capacityRps, p.capacityEstimated, p.costUsdPerHour,
    p.usdPerMillionTokens, prices, p.prefixHitRate, p.sloMet, p.confirmedSeeds.join(" "), onFrontier, recommended, p.note,
  ];
}

/** The whole CSV text, header included, ending in a newline. */
export function renderFrontierCsv(file: FrontierFile, targets?: SloTargets): string {
  const onFrontier = new Set(file.frontier.map((p) => p.id));
  const rec = file.recommended?.id;
  const lines = [frontierCsvHeader(targets).map(csvField).join(",")];
  for (const p of file.points) lines.push(row(p, onFrontier.has(p.id), p.id === rec, file.prices).map(csvField).join(","));
  return `${lines.join("\n")}\n`;
}
