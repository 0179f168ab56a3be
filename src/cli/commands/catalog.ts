import { newTable } from "../../report/table.js";
import { listGpus, listKvMedia, listModels } from "../../catalog/index.js";
import { defaultPriceList, listPriceLists } from "../../catalog/prices.js";
import { UsageError } from "../../errors.js";
import { kvBytesPerTokenPerGpu, totalParams } from "../../sim/model/memory.js";
import type { CliIo } from "../io.js";

const KINDS = ["models", "gpus", "media", "prices"] as const;

const usd = (x: number | undefined, digits = 2): string => (x === undefined ? "-" : `$${x.toFixed(digits)}`);

export async function catalogCommand(what: string | undefined, opts: { json?: boolean }, io: CliIo): Promise<void> {
  const show = what ?? "all";
  if (show !== "all" && !(KINDS as readonly string[]).includes(show)) {
    throw new UsageError(`catalog: expected one of ${KINDS.map((k) => `"${k}"`).join(", ")}, got "${show}"`);
  }
  const want = (k: (typeof KINDS)[number]) => show === "all" || show === k;
  if (opts.json) {
    const out: Record<string, unknown> = {};
    if (want("models")) out.models = listModels();
    if (want("gpus")) out.gpus = listGpus();
    if (want("media")) out.media = listKvMedia();
    if (want("prices")) out.prices = listPriceLists();
    io.out(`${JSON.stringify(show === "all" ? out : Object.values(out)[0], null, 2)}\n`);
    return;
  }
  const def = defaultPriceList();
  if (want("models")) {
    const t = newTable(["model", "params (B)", "layers", "hidden", "heads/kv", "kind", "KV KiB/token (bf16)"]);
    for (const m of listModels()) {
      const kind = m.mla ? "MoE+MLA" : m.moe ? `MoE ${m.moe.expertsPerToken}/${m.moe.numExperts}` : "dense GQA";
      t.push([m.id, (totalParams(m) / 1e9).toFixed(1), m.numLayers, m.hiddenSize, `${m.numAttentionHeads}/${m.numKeyValueHeads}`, kind,
        (kvBytesPerTokenPerGpu(m, "bf16", 1) / 1024).toFixed(1)]);
    }
    io.out(`Models\n${t.toString()}\n`);
  }
  if (want("gpus")) {
    const t = newTable(["gpu", "HBM GB", "TB/s", "bf16 TFLOPS", "fp8 TFLOPS", "NVLink GB/s", "host GB/GPU", "NVMe GB/GPU", "USD/GPU-h"]);
    for (const g of listGpus()) {
      t.push([g.id, g.hbmGb, g.hbmTBps, g.bf16Tflops, g.fp8Tflops ?? "-", g.nvlinkGBps ?? "-", g.hostMemoryGbPerGpu, g.localNvmeGbPerGpu, usd(def.gpuUsdPerHour?.[g.id])]);
    }
    io.out(`GPUs (prices: ${def.name}; see "catalog prices")\n${t.toString()}\n`);
  }
  if (want("media")) {
    const t = newTable(["medium", "tier", "read GB/s", "write GB/s", "latency us", "USD/GB-h"]);
    for (const m of listKvMedia()) {
      const price = m.tier === "l2" ? def.hostMemoryUsdPerGbHour : def.mediaUsdPerGbHour?.[m.id];
      t.push([m.id, m.tier, m.readGBps, m.writeGBps, m.latencyUs, price ?? "-"]);
    }
    io.out(`KV media (prices: ${def.name})\n${t.toString()}\n`);
  }
  if (want("prices")) {
    const lists = listPriceLists();
    const gpus = listGpus().map((g) => g.id);
    const media = [...new Set(lists.flatMap((l) => Object.keys(l.mediaUsdPerGbHour ?? {})))].sort();
    // One column per list, one row per priced item: lists compare side by side.
    const t = newTable(["", ...lists.map((l) => `${l.name}${l.default ? " (default)" : ""}`)]);
    t.push(["date", ...lists.map((l) => l.date ?? "-")]);
    for (const g of gpus) t.push([`${g} USD/GPU-h`, ...lists.map((l) => usd(l.gpuUsdPerHour?.[g], 4))]);
    t.push(["host memory USD/GB-h", ...lists.map((l) => l.hostMemoryUsdPerGbHour ?? "-")]);
    for (const m of media) t.push([`${m} USD/GB-h`, ...lists.map((l) => l.mediaUsdPerGbHour?.[m] ?? "-")]);
    const notes = lists.map((l) => `- ${l.name}: ${l.description ?? l.source ?? ""}`).join("\n");
    io.out(`Price lists (USD per GPU-hour; sources: catalog prices --json)\n${t.toString()}\n${notes}\n`);
  }
}
