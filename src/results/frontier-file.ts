/**
 * `frontier.json`: every evaluated point, the Pareto frontier among those that meet the SLO, the
 * recommended deployment and, when none meets it, the closest misses.
 */
import { closestMisses, paretoFrontier, recommend } from "./pareto.js";
import type { Point, SloTargets } from "./point.js";

/** One point of a workload's prefix hit-rate curve (stage 3 and the report). */
export interface HitCurvePoint {
  capacityTokens: number;
  tokenHitRate: number;
  blockHitRate: number;
}

/** Version of the `frontier.json` layout (`schemas/frontier.schema.json`); bumped on breaking changes. */
export const FRONTIER_SCHEMA_VERSION = 2;

/** `frontier.json` and the main command's `--json` output. */
export interface FrontierFile {
  schemaVersion: number;
  runId: string;
  runs: number;
  wallS: number;
  demandRps: number;
  /** Name of the price list every cost in the file uses. */
  prices: string;
  recommended: Point | null;
  frontier: Point[];
  points: Point[];
  /** When no point meets the SLO: the closest misses, best first. */
  closest?: Point[];
  hitCurve?: HitCurvePoint[];
}

export interface FrontierInputs {
  runId: string;
  /** Simulations run (stage 1 screening is not counted). */
  runs: number;
  wallS: number;
  demandRps: number;
  prices: string;
  points: readonly Point[];
  targets: SloTargets;
  hitCurve?: readonly HitCurvePoint[];
  /** How many closest misses to list when nothing meets the SLO. @default 5 */
  closestCount?: number;
}

/**
 * Points sorted by (stage, id), a repeated id kept once (its earliest stage), the frontier, the
 * recommendation and, when there is none, the closest misses. Key order is fixed, so the JSON is
 * byte-identical for identical inputs.
 */
export function buildFrontierFile(x: FrontierInputs): FrontierFile {
  const sorted = [...x.points].sort((a, b) => a.stage - b.stage || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const seen = new Set<string>();
  const points = sorted.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
  const recommended = recommend(points, x.targets);
  const file: FrontierFile = {
    schemaVersion: FRONTIER_SCHEMA_VERSION,
    runId: x.runId,
    runs: x.runs,
    wallS: x.wallS,
    demandRps: x.demandRps,
    prices: x.prices,
    recommended,
    frontier: paretoFrontier(points, x.targets),
    points,
  };
  if (recommended === null) file.closest = closestMisses(points, x.targets, x.closestCount ?? 5);
  if (x.hitCurve) file.hitCurve = [...x.hitCurve];
  return file;
}
