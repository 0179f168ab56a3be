/**
 * `python -m sglang.launch_server` for one replica of a resolved deployment, spelled as the
 * deployment's SGLang release spells its flags (python/sglang/srt/server_args.py
 * ServerArgs.add_cli_args; checked against catalog/engine-flags.json). Every knob the simulation
 * resolved is written out, so the engine runs what was simulated rather than its own defaults.
 */
import type { ResolvedDeployment } from "../sim/deployment/resolve.js";
import type { Command, Word } from "./command.js";
import type { LongContext } from "./long-context.js";
import type { ModelRef } from "./model-ref.js";
import type { ReplicaSlot } from "./placement.js";

/** HiCache storage backend per L3 medium of the KV media catalog. */
const L3_BACKEND: Record<string, string> = {
  // HiCacheFile (python/sglang/srt/mem_cache/hicache_storage.py) on the node's local disk.
  file: "file",
  nvme: "file",
  // Mooncake store: a pool shared by the replicas over RDMA.
  remote_pool: "mooncake",
};

/** Whether `release` (e.g. "0.5.6.post2") is at least `min`. */
function atLeast(release: string, min: string): boolean {
  const a = release.split(/[.a-z]+/).filter(Boolean).map(Number);
  const b = min.split(".").map(Number);
  for (let i = 0; i < b.length; i++) {
    if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) > b[i];
  }
  return true;
}

export interface EngineCommandResult {
  command: Command;
  notes: string[];
}

/** The launch command of replica `slot` of `dep` (with the rope scaling `longCtx` when given). */
export function sglangCommand(dep: ResolvedDeployment, slot: ReplicaSlot, model: ModelRef, longCtx?: LongContext): EngineCommandResult {
  const e = dep.engine;
  const v = e.version;
  const d = dep.deployment;
  const notes: string[] = [];
  const args: Word[] = ["--model-path", model.checkpoint, "--tp-size", String(dep.tp)];
  if (model.onlineFp8) args.push("--quantization", "fp8");
  // bf16 KV is the model dtype ("auto" in every release; "bf16" is accepted only from 0.5.6).
  args.push("--kv-cache-dtype", d.kvDtype === "fp8" ? "fp8_e4m3" : "auto");
  args.push(
    "--max-running-requests", String(e.maxRunningRequests),
    "--chunked-prefill-size", String(e.chunkedPrefillSize),
    "--max-prefill-tokens", String(e.maxPrefillTokens),
    "--mem-fraction-static", String(Math.round(e.memFractionStatic * 1000) / 1000),
    "--page-size", String(e.pageSize),
    "--schedule-policy", e.schedulePolicy,
  );
  if (e.schedConservativeness !== 1) args.push("--schedule-conservativeness", String(e.schedConservativeness));
  if (!e.enablePrefixCaching) args.push("--disable-radix-cache");
  const env: [string, Word][] = [["CUDA_VISIBLE_DEVICES", slot.gpus.join(",")]];
  if (longCtx) {
    // The override sets rope_scaling; SGLang still derives the context from max_position_embeddings
    // (get_context_length ignores the factor when original_max_position_embeddings is given), so a
    // longer --context-length raises unless this variable allows it (ModelConfig._derive_context_length).
    env.push(["SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN", "1"]);
    args.push("--json-model-override-args", `{"rope_scaling":${longCtx.ropeScalingJson}}`, "--context-length", String(longCtx.contextLengthTokens));
    notes.push(longCtx.note);
  }
  const kv = dep.kvCache;
  if (kv.l2) {
    // --hicache-size is an integer number of GB per TP rank: each rank keeps its own host pool.
    const perRank = Math.max(1, Math.floor(kv.l2.capacityGb / dep.tp));
    if (perRank * dep.tp !== kv.l2.capacityGb) notes.push(`L2 ${kv.l2.capacityGb} GB per replica is ${perRank} GB per TP rank (--hicache-size takes whole GB per rank).`);
    args.push("--enable-hierarchical-cache", "--hicache-size", String(perRank), "--hicache-write-policy", kv.writePolicy);
    // One eviction policy drives the device and host trees; the flag exists from 0.5.3.
    if (atLeast(v, "0.5.3")) args.push("--radix-eviction-policy", kv.evictionPolicy);
    else if (kv.evictionPolicy !== "lru") notes.push(`SGLang ${v} evicts LRU only (--radix-eviction-policy arrived in 0.5.3); the simulated ${kv.evictionPolicy} needs 0.5.3 or later.`);
  }
  if (kv.l3) {
    const backend = L3_BACKEND[kv.l3.media] ?? "file";
    args.push("--hicache-storage-backend", backend, "--hicache-storage-prefetch-policy", kv.prefetchPolicy);
    if (atLeast(v, "0.5.3")) {
      args.push("--hicache-storage-backend-extra-config", JSON.stringify({
        prefetch_threshold: kv.prefetchThresholdTokens,
        prefetch_timeout_base: kv.prefetchTimeoutBaseS,
        prefetch_timeout_per_ki_token: kv.prefetchTimeoutPerKiTokenS,
      }));
    } else {
      notes.push(`SGLang ${v} has no --hicache-storage-backend-extra-config: its prefetch threshold (256 tokens) and 3 s timeout are fixed.`);
    }
    if (backend === "file") {
      env.push(["SGLANG_HICACHE_FILE_BACKEND_STORAGE_DIR", { shell: `"\${HICACHE_DIR:-/mnt/nvme/hicache}"` }]);
      notes.push(`L3 (${kv.l3.media}, ${kv.l3.capacityGb} GB${kv.l3.shared ? " shared" : " per replica"}): SGLang's file backend writes under SGLANG_HICACHE_FILE_BACKEND_STORAGE_DIR; point HICACHE_DIR at the NVMe mount${kv.l3.shared ? " (a shared pool needs a shared file system)" : ""}.`);
    } else {
      notes.push(`L3 (${kv.l3.media}, ${kv.l3.capacityGb} GB): the Mooncake store must be running and configured for SGLang (Mooncake master and metadata server; see SGLang's HiCache docs).`);
    }
  }
  args.push("--host", "0.0.0.0", "--port", String(slot.port));
  return {
    command: { title: `replica ${slot.index} on ${slot.host} (GPUs ${slot.gpus.join(",")})`, env, program: ["python", "-m", "sglang.launch_server"], args },
    notes,
  };
}
