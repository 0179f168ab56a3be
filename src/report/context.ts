/** What the reports need beyond `frontier.json`: the question asked and how the run went. */
import type { SloTargets } from "../results/point.js";

/** Runs and wall time of one search stage. */
export interface StageStat {
  stage: 1 | 2 | 3 | 4;
  /** e.g. "execution-layer screening". */
  name: string;
  /** Evaluations (stage 1) or simulations (stages 2, 3). */
  runs: number;
  wallS?: number;
}

/** The recommended deployment's launch commands (written to `deploy/`), for summary.md. */
export interface DeployView {
  /** Engine and release, e.g. "sglang 0.5.9". */
  engine: string;
  nodes: number;
  replicas: number;
  /** Replica 0's command (the others differ in node, GPUs and port). */
  firstReplica: string;
  router?: string;
  notes: string[];
  /** When the recommendation needs an unreleased router: the released-router fallback. */
  alternative?: { pointId: string; costUsdPerHour: number; router?: string };
}

export interface ReportContext {
  targets: SloTargets;
  sloName?: string;
  model?: string;
  /** One line describing the workload, e.g. "synthetic chat, Poisson 40 req/s, 20,000 requests". */
  workload?: string;
  /** Search space name or path. */
  searchSpace?: string;
  /** GPUs the search space lists, so GPUs with no evaluated point still appear in the ranking. */
  spaceGpus?: readonly string[];
  seed?: number;
  workers?: number;
  exhaustive?: boolean;
  stages?: readonly StageStat[];
  /** Trials taken from an earlier attempt's trials.jsonl (--resume). */
  reusedTrials?: number;
  /** hisim-tune version, shown in the footer. */
  version?: string;
  /** --exhaustive: grid points collapsed into an identical one. */
  collapsed?: number;
  /** The deploy commands of the recommended deployment. */
  deploy?: DeployView;
}
