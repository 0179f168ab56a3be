import { newTable } from "../../report/table.js";
import { listGpus, listKvMedia, listModels } from "../../catalog/index.js";
import { UsageError } from "../../errors.js";
import { kvBytesPerTokenPerGpu, totalParams } from "../../sim/model/memory.js";
import type { CliIo } from "../io.js";

export async function catalogCommand(what: string | undefined, opts: { json?: boolean }, io: CliIo): Promise<void> {
  const show = what ?? "all";
  if (!["all", "models", "gpus", "media"].includes(show)) {
    throw new UsageError(`catalog: expected "models", "gpus" or "media", got "${show}"`);
  }
  if (opts.json) {
    const out: Record<string, unknown> = {};
    if (show === "all" || show === "models") out.models = listModels();
    if (show === "all" || show === "gpus") out.gpus = listGpus();
    if (show === "all" || show === "media") out.media = listKvMedia();
    io.out(`${JSON.stringify(show === "all" ? out : Object.values(out)[0], null, 2)}\n`);
    return;
  }
  if (show === "all" || show === "models") {
    const t = newTable(["model", "params (B)", "layers", "hidden", "heads/kv", "kind", "KV KiB/token (bf16)"]);
    for (const m of listModels()) {
      const kind = m.mla ? "MoE+MLA" : m.moe ? `MoE ${m.moe.expertsPerToken}/${m.moe.numExperts}` : "dense GQA";
      t.push([m.id, (totalParams(m) / 1e9).toFixed(1), m.numLayers, m.hiddenSize, `${m.numAttentionHeads}/${m.numKeyValueHeads}`, kind,
        (kvBytesPerTokenPerGpu(m, "bf16", 1) / 1024).toFixed(1)]);
    }
    io.out(`Models\n${t.toString()}\n`);
  }
  if (show === "all" || show === "gpus") {
    const t = newTable(["gpu", "HBM GB", "TB/s", "bf16 TFLOPS", "fp8 TFLOPS", "NVLink GB/s", "USD/GPU-h"]);
    for (const g of listGpus()) {
      t.push([g.id, g.hbmGb, g.hbmTBps, g.bf16Tflops, g.fp8Tflops ?? "-", g.nvlinkGBps ?? "-", g.usdPerHour.toFixed(2)]);
    }
    io.out(`GPUs\n${t.toString()}\n`);
  }
  if (show === "all" || show === "media") {
    const t = newTable(["medium", "tier", "read GB/s", "write GB/s", "latency us", "USD/GB-h"]);
    for (const m of listKvMedia()) t.push([m.id, m.tier, m.readGBps, m.writeGBps, m.latencyUs, m.usdPerGbHour]);
    io.out(`KV media\n${t.toString()}\n`);
  }
}
