/**
 * The deploy plan of one deployment: where each replica runs, its engine launch command, the
 * router command, and what the operator must know (placeholders, version caveats). Every command
 * is checked against the engines' flag lists before it is returned.
 */
import { flagIssues, type FlagTool } from "../catalog/engine-flags.js";
import type { Deployment } from "../config/types.js";
import { InvariantError } from "../errors.js";
import { prepareDeployment } from "../runner/prepare.js";
import type { PriceTable } from "../sim/deployment/cost.js";
import { plainArgs, type Command } from "./command.js";
import { longContextFor } from "./long-context.js";
import { modelRef } from "./model-ref.js";
import { placeReplicas, type ReplicaSlot } from "./placement.js";
import { routerCommand } from "./router-command.js";
import { sglangCommand } from "./sglang-command.js";
import { vllmCommand } from "./vllm-command.js";

/** First HTTP port of the engines on a node (SGLang's default 30000, vLLM's 8000). */
const BASE_PORT = { sglang: 30000, vllm: 8000 } as const;

export interface DeployPlan {
  engine: "sglang" | "vllm";
  engineVersion: string;
  /** sglang-router release the router command is spelled for (undefined: no router command). */
  routerRelease?: string;
  routerReleased: boolean;
  gpu: string;
  gpusPerNode: number;
  nodes: number;
  slots: ReplicaSlot[];
  replicas: Command[];
  router?: Command;
  notes: string[];
}

/** Throws when a command carries a flag (or value) its release does not define: a writer bug. */
function checked(tool: FlagTool, version: string, c: Command): Command {
  const issues = flagIssues(tool, version, plainArgs(c));
  if (issues.length > 0) throw new InvariantError(`deploy command for ${tool} ${version}: ${issues.join("; ")}`);
  return c;
}

/** What the plan needs to know of the workload it will serve. */
export interface DeployWorkload {
  /** The longest request, prompt + answer, tokens: beyond the model's native context the commands enable its rope scaling. */
  longestRequestTokens?: number;
}

/**
 * Builds the plan of `d` (a validated deployment) for `workload`. Costs play no part; `prices`
 * only satisfies the resolver.
 */
export function buildDeployPlan(d: Deployment, prices: PriceTable, workload: DeployWorkload = {}): DeployPlan {
  const dep = prepareDeployment(d, undefined, { allowNoFit: true, prices });
  const kind = dep.engine.kind;
  const version = dep.engine.version;
  const slots = placeReplicas(dep.replicas, dep.tp, dep.gpu.gpusPerNode, BASE_PORT[kind]);
  const model = modelRef(d, dep.model);
  const notes = [...model.notes];
  const longCtx = longContextFor(dep.model, workload.longestRequestTokens);
  const replicas: Command[] = [];
  for (const slot of slots) {
    const r = kind === "sglang" ? sglangCommand(dep, slot, model, longCtx) : vllmCommand(dep, slot, model, longCtx);
    replicas.push(checked(kind, version, r.command));
    if (slot.index === 0) notes.push(...r.notes);
  }
  const router = dep.replicas > 1 ? routerCommand(dep, slots) : undefined;
  if (router) notes.push(...router.notes);
  return {
    engine: kind,
    engineVersion: version,
    ...(router?.release ? { routerRelease: router.release } : {}),
    routerReleased: router?.released ?? true,
    gpu: dep.gpu.id,
    gpusPerNode: dep.gpu.gpusPerNode,
    nodes: slots.length > 0 ? slots[slots.length - 1].node + 1 : 0,
    slots,
    replicas,
    ...(router?.command ? { router: checked("sglangRouter", router.release!, router.command) } : {}),
    notes,
  };
}
