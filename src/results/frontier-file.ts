/**
 * `frontier.json`: the run's status, every evaluated point, the Pareto frontier among the points
 * confirmed to meet the SLO, the recommended deployment, what stage 1 screened out and why, how many
 * requests each verdict rested on and, when nothing meets the SLO, the closest misses.
 */
import { closestMisses, paretoFrontier, recommend } from "./pareto.js";
import type { Point, SloTargets } from "./point.js";

/** Version of the `frontier.json` layout (`schemas/frontier.schema.json`); bumped on breaking changes. */
export const FRONTIER_SCHEMA_VERSION = 2;

/** One point of a workload's prefix hit-rate curve (stage 3 and the report). */
export interface HitCurvePoint {
  capacityTokens: number;
  tokenHitRate: number;
  blockHitRate: number;
}

/**
 * `ok`: a confirmed recommendation; `infeasible`: the search finished and nothing meets the SLO;
 * `partial`: the search was cut (`--max-runs`) before it finished.
 */
export type SearchStatus = "ok" | "infeasible" | "partial";

/** Why stage 1 dropped a configuration without simulating it. */
export type ScreenReason = "memory" | "shape" | "constraints" | "decode-tpot" | "lone-prefill-ttft" | "dominated" | "ranked-out";

/** A configuration stage 1 dropped, and why. */
export interface ScreenedConfig {
  gpu: string;
  tp: number;
  weights: string;
  kvDtype: string;
  engine: string;
  reason: ScreenReason;
  /** The figures behind the reason, in words. */
  detail: string;
}

/** How many requests one target's verdicts rested on. */
export interface VerdictBasis {
  metric: "ttftMs" | "tpotMs" | "e2eMs";
  percentile: number;
  /** Requests the percentile needs for a tail of `tailTarget` requests. */
  requestsNeeded: number;
  /** Requests of the search seed's whole workload that count for this metric. */
  workloadRequests: number;
  /** Fewest requests a search trial's percentile was taken over. */
  trialRequests: number;
  /** Requests above the percentile in that trial. */
  trialTailRequests: number;
  /** Requests each confirmation run's percentile was taken over (the fewest over the seeds). */
  confirmRequests: number;
  /** Whether every search trial had `requestsNeeded` (false: the workload is smaller; all of it was used). */
  enough: boolean;
  tailTarget: number;
}

/** What one KV-tier option of stage 3 did, tried on a stage-2 winner. */
export interface TierTrial {
  /** The stage-2 point it was tried on. */
  baseId: string;
  /** The tiers and policies, e.g. "L2 512 GB + L3 nvme 2 TB (lru, best_effort, write_through)". */
  option: string;
  /**
   * kept: better than everything before it (lower cost, or equal cost and latency); no gain: it met
   * the SLO but was not better; misses: not even at the winner's replica count; skipped: not simulated.
   */
  outcome: "kept" | "no gain" | "misses" | "skipped";
  reason?: string;
  /** Its fewest-replica SLO-meeting point, when it met the SLO. */
  pointId?: string;
  replicas?: number;
  costUsdPerHour?: number;
  ttftMs?: number;
}

/** `frontier.json` and the main command's `--json` output. */
export interface FrontierFile {
  schemaVersion: number;
  runId: string;
  status: SearchStatus;
  /** Why the status is not ok, in words. */
  statusReason?: string;
  /** Simulations run (stage 1 screening is not counted). */
  runs: number;
  wallS: number;
  demandRps: number;
  /** Name of the price list every cost in the file uses. */
  prices: string;
  /** `--headroom`: the search planned for demand x (1 + headroom). */
  headroom: number;
  planRps: number;
  seed: number;
  confirmSeeds: number[];
  /** Seeds the frontier's capacities were measured on: the confirmation seeds and more. */
  capacitySeeds: number[];
  recommended: Point | null;
  frontier: Point[];
  points: Point[];
  /** Configurations stage 1 dropped, with reasons. */
  screened: ScreenedConfig[];
  verdicts: VerdictBasis[];
  /** Stage 3's KV-tier options and what each did. */
  tierTrials: TierTrial[];
  /** When no point meets the SLO: the closest misses, best first. */
  closest?: Point[];
  hitCurve?: HitCurvePoint[];
}

/** What `buildFrontierFile` takes: the file's run facts as they are, and the lists it sorts or copies. */
export type FrontierInputs = Pick<FrontierFile, "runId" | "status" | "statusReason" | "runs" | "wallS" | "demandRps" | "prices" | "headroom" | "planRps" | "seed"> & {
  confirmSeeds: readonly number[];
  /** Default: the confirmation seeds. */
  capacitySeeds?: readonly number[];
  points: readonly Point[];
  targets: SloTargets;
  screened?: readonly ScreenedConfig[];
  verdicts?: readonly VerdictBasis[];
  tierTrials?: readonly TierTrial[];
  hitCurve?: readonly HitCurvePoint[];
  /** How many closest misses to list when nothing meets the SLO. @default 5 */
  closestCount?: number;
};

/** A point confirmed to meet the SLO: the only kind the frontier and the recommendation hold. */
export function isConfirmed(p: Point): boolean {
  return p.sloMet && p.confirmedSeeds.length > 0;
}

/**
 * Points sorted by (stage, id), a repeated id kept once (its earliest stage), the frontier and the
 * recommendation among confirmed points and, when there is none, the closest misses. Key order is
 * fixed, so the JSON is byte-identical for identical inputs.
 */
export function buildFrontierFile(x: FrontierInputs): FrontierFile {
  const sorted = [...x.points].sort((a, b) => a.stage - b.stage || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const seen = new Set<string>();
  const points = sorted.filter((p) => (seen.has(p.id) ? false : (seen.add(p.id), true)));
  const confirmed = points.filter(isConfirmed);
  const recommended = recommend(confirmed, x.targets);
  const file: FrontierFile = {
    schemaVersion: FRONTIER_SCHEMA_VERSION,
    runId: x.runId,
    status: x.status,
    ...(x.statusReason ? { statusReason: x.statusReason } : {}),
    runs: x.runs,
    wallS: x.wallS,
    demandRps: x.demandRps,
    prices: x.prices,
    headroom: x.headroom,
    planRps: x.planRps,
    seed: x.seed,
    confirmSeeds: [...x.confirmSeeds],
    capacitySeeds: [...(x.capacitySeeds ?? x.confirmSeeds)],
    recommended,
    frontier: paretoFrontier(confirmed, x.targets),
    points,
    screened: [...(x.screened ?? [])],
    verdicts: [...(x.verdicts ?? [])],
    tierTrials: [...(x.tierTrials ?? [])],
  };
  if (recommended === null) file.closest = closestMisses(points, x.targets, x.closestCount ?? 5);
  if (x.hitCurve) file.hitCurve = [...x.hitCurve];
  return file;
}
