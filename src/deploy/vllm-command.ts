/**
 * `vllm serve <model>` for one replica of a resolved deployment, spelled as the deployment's vLLM
 * release spells its flags (vllm/engine/arg_utils.py EngineArgs.add_cli_args,
 * vllm/entrypoints/openai/cli_args.py FrontendArgs; checked against catalog/engine-flags.json).
 * `maxRunningRequests` is max_num_seqs, `chunkedPrefillSize` max_num_batched_tokens,
 * `memFractionStatic` gpu_memory_utilization and `pageSize` block_size.
 */
import type { ResolvedDeployment } from "../sim/deployment/resolve.js";
import type { Word } from "./command.js";
import type { LongContext } from "./long-context.js";
import type { ModelRef } from "./model-ref.js";
import type { ReplicaSlot } from "./placement.js";
import type { EngineCommandResult } from "./sglang-command.js";

function minor(v: string): [number, number] {
  const [a, b] = v.split(".").map(Number);
  return [a, b];
}

/** The launch command of replica `slot` of `dep` (with the rope scaling `longCtx` when given). */
export function vllmCommand(dep: ResolvedDeployment, slot: ReplicaSlot, model: ModelRef, longCtx?: LongContext): EngineCommandResult {
  const e = dep.engine;
  const d = dep.deployment;
  const notes: string[] = [];
  const args: Word[] = ["--tensor-parallel-size", String(dep.tp)];
  if (model.onlineFp8) args.push("--quantization", "fp8");
  args.push(
    "--kv-cache-dtype", d.kvDtype === "fp8" ? "fp8" : "auto",
    "--max-num-seqs", String(e.maxRunningRequests),
    "--max-num-batched-tokens", String(e.chunkedPrefillSize),
    "--gpu-memory-utilization", String(Math.round(e.memFractionStatic * 1000) / 1000),
    "--block-size", String(e.pageSize),
  );
  if (!e.enablePrefixCaching) args.push("--no-enable-prefix-caching");
  if (longCtx) {
    // --rope-scaling is gone from 0.11.2; --hf-overrides sets config.json's rope_scaling in every
    // release we target, and vLLM derives original_max_position_embeddings x factor as the longest
    // allowed --max-model-len (vllm/config _get_and_verify_max_len).
    args.push("--hf-overrides", `{"rope_scaling":${longCtx.ropeScalingJson}}`, "--max-model-len", String(longCtx.contextLengthTokens));
    notes.push(longCtx.note);
  }
  const env: [string, Word][] = [["CUDA_VISIBLE_DEVICES", slot.gpus.join(",")]];
  const kv = dep.kvCache;
  if (kv.l2) {
    const [, m] = minor(e.version);
    if (m >= 11) {
      // The native CPU offloading connector (vllm/v1/kv_offload/cpu.py CPUOffloadingSpec, from
      // 0.11.0) sizes its pool in blocks of block_size tokens; each block spans the TP ranks.
      const blocks = Math.floor((kv.l2.capacityGb * 1e9) / (e.pageSize * dep.kvBytesPerTokenPerReplica));
      args.push("--kv-transfer-config", JSON.stringify({ kv_connector: "OffloadingConnector", kv_role: "kv_both", kv_connector_extra_config: { num_cpu_blocks: blocks } }));
      notes.push(`L2 ${kv.l2.capacityGb} GB per replica = ${blocks} CPU blocks of ${e.pageSize} tokens (OffloadingConnector, LRU).`);
    } else {
      // vLLM 0.10 has no native CPU offloading; LMCache (a separate package) provides it.
      args.push("--kv-transfer-config", JSON.stringify({ kv_connector: "LMCacheConnectorV1", kv_role: "kv_both" }));
      env.push(["LMCACHE_LOCAL_CPU", "True"], ["LMCACHE_MAX_LOCAL_CPU_SIZE", String(Math.max(1, Math.floor(kv.l2.capacityGb / dep.tp)))]);
      notes.push(`vLLM ${e.version} has no native KV offloading: the L2 tier uses LMCache (pip install lmcache), ${Math.floor(kv.l2.capacityGb / dep.tp)} GB per TP worker.`);
    }
    if (kv.writePolicy !== "write_through") notes.push(`vLLM's offloading stores every block (write-through); the simulated ${kv.writePolicy} has no vLLM flag.`);
  }
  if (kv.l3) notes.push(`L3 (${kv.l3.media}): vLLM ${e.version} has no HiCache-style storage tier; LMCache with a disk or remote backend is the nearest (not generated).`);
  args.push("--host", "0.0.0.0", "--port", String(slot.port));
  return {
    command: { title: `replica ${slot.index} on ${slot.host} (GPUs ${slot.gpus.join(",")})`, env, program: ["vllm", "serve", model.checkpoint], args },
    notes,
  };
}
