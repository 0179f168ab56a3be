/**
 * `python -m sglang_router.launch_router` in front of the replicas, spelled as the sglang-router
 * release paired with the engine release spells its flags (RouterArgs.add_cli_args; checked
 * against catalog/engine-flags.json). The router is a separate PyPI package with its own versions.
 *
 * `bucket`: no released sglang-router (through 0.3.2) accepts `--policy bucket`; it is a PD-mode
 * `--prefill-policy` from 0.2.3, and `--policy bucket` exists only in the SGLang source tree after
 * PR #24719 (2026-05-13). The command is written for that tree (router built from source) and says
 * so; the deploy folder also carries the cheapest SLO-meeting deployment with a released policy.
 */
import { definesFlag, flagChoices, ROUTER_TREE_RELEASE, routerReleaseFor } from "../catalog/engine-flags.js";
import { resolveRouterConfig } from "../sim/router/router-config.js";
import type { ResolvedDeployment } from "../sim/deployment/resolve.js";
import type { Command, Word } from "./command.js";
import type { ReplicaSlot } from "./placement.js";

/** The router's HTTP port (clients send requests here). */
export const ROUTER_PORT = 8080;

export interface RouterCommandResult {
  /** The router release the command is spelled for, or undefined when none accepts the policy. */
  release?: string;
  /** Whether that release is published on PyPI (false: built from the SGLang source tree). */
  released: boolean;
  command?: Command;
  notes: string[];
}

/** The router command for `dep`'s replicas. */
export function routerCommand(dep: ResolvedDeployment, slots: readonly ReplicaSlot[]): RouterCommandResult {
  const r = resolveRouterConfig(dep.deployment.router);
  const paired = routerReleaseFor(dep.engine.kind, dep.engine.version);
  const notes: string[] = [];
  let release = paired;
  let released = true;
  if (!(flagChoices("sglangRouter", paired, "--policy") ?? []).includes(r.policy)) {
    if ((flagChoices("sglangRouter", ROUTER_TREE_RELEASE, "--policy") ?? []).includes(r.policy)) {
      release = ROUTER_TREE_RELEASE;
      released = false;
      notes.push(
        `--policy ${r.policy} is not accepted by any released sglang-router (through 0.3.2, paired here: ${paired}); it exists in the SGLang source tree ` +
          "from PR #24719 (2026-05-13): build sgl-model-gateway's Python bindings from sgl-project/sglang at v0.5.18 or later to run this command.",
      );
    } else {
      notes.push(`--policy ${r.policy} is not an sglang-router policy in any version read (${paired}, ${ROUTER_TREE_RELEASE}); smg-project/smg's gateway has least_load. No router command written.`);
      return { released: false, notes };
    }
  }
  const args: Word[] = ["--worker-urls", ...slots.map((s) => `http://${s.host}:${s.port}`), "--policy", r.policy];
  if (r.policy === "cache_aware") {
    const evictionFlag = definesFlag("sglangRouter", release, "--eviction-interval-secs") ? "--eviction-interval-secs" : "--eviction-interval";
    args.push(
      "--cache-threshold", String(r.cacheThreshold),
      "--balance-abs-threshold", String(r.balanceAbsThreshold),
      "--balance-rel-threshold", String(r.balanceRelThreshold),
      evictionFlag, String(Math.round(r.evictionIntervalS)),
      "--max-tree-size", String(r.maxTreeSize),
    );
  } else if (r.policy === "bucket") {
    args.push(
      "--balance-abs-threshold", String(r.balanceAbsThreshold),
      "--balance-rel-threshold", String(r.balanceRelThreshold),
      "--bucket-adjust-interval-secs", String(Math.round(r.bucketAdjustIntervalS)),
    );
  } else if (r.policy === "power_of_two" && r.loadPollIntervalS !== 5) {
    // The Python launcher hard-codes the load poll (sgl-model-gateway bindings/python/src/lib.rs).
    notes.push(`power_of_two: sglang-router polls worker loads every 5 s (not a flag); the simulation polled every ${r.loadPollIntervalS} s.`);
  }
  args.push("--host", "0.0.0.0", "--port", String(ROUTER_PORT));
  return {
    release, released, notes,
    command: { title: `router (sglang-router ${released ? release : `built from the SGLang tree, ${release}`})`, env: [], program: ["python", "-m", "sglang_router.launch_router"], args },
  };
}
