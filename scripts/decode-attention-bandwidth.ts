/**
 * Dev script: the fraction of HBM bandwidth that measured decode-attention kernels reach, per GPU,
 * by KV bytes per call. It is the evidence for why a roofline fitted on one GPU's decode-attention
 * rows does not carry to the other (docs/fidelity.md): the A100 and H100 kernels plateau at very
 * different fractions of their HBM peak, so no bandwidth efficiency fitted on one predicts the other.
 *
 *   node_modules/.bin/tsx scripts/decode-attention-bandwidth.ts <generation_attention_perf.csv> <gpu-id> [...]
 *   e.g. node_modules/.bin/tsx scripts/decode-attention-bandwidth.ts \
 *          ../shared/data/profiles/aiconfigurator/a100_sxm/sglang_0.5.9/generation_attention_perf.csv a100_sxm \
 *          ../shared/data/profiles/aiconfigurator/h100_sxm/sglang_0.5.9/generation_attention_perf.csv h100_sxm
 *
 * Only bf16-KV rows are used. Bytes are K and V of every cached token (generationWork in
 * src/sim/estimator/roofline.ts); achieved fraction = bytes / latency / peak HBM bandwidth.
 */
import { resolveGpu } from "../src/catalog/index.js";
import { readKernelCsv } from "../src/io/kernel-csv.js";
import { generationWork } from "../src/sim/estimator/roofline.js";

const args = process.argv.slice(2);
if (args.length === 0 || args.length % 2 !== 0) {
  console.error("usage: decode-attention-bandwidth.ts <generation_attention_perf.csv> <gpu-id> [<csv> <gpu-id> ...]");
  process.exit(2);
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

for (let i = 0; i < args.length; i += 2) {
  const table = readKernelCsv(args[i]);
  if (table.kind !== "generation") {
    console.error(`${args[i]}: expected a generation_attention_perf table, found ${table.kind}`);
    process.exit(2);
  }
  const gpu = resolveGpu(args[i + 1]);
  // log2(bytes) band -> achieved fractions
  const bands = new Map<number, number[]>();
  for (const r of table.rows) {
    if (r.kvDtype !== "bfloat16") continue;
    const w = generationWork(r.batch, r.batch * (r.step + 1), r.heads, r.kvHeads, r.headDim, r.headDim, 2);
    const frac = w.bytes / (r.latencyMs * 1e-3) / (gpu.hbmTBps * 1e12);
    // Below 1 MiB per call the launch floor dominates and the fraction says nothing about bandwidth.
    if (w.bytes < 2 ** 20) continue;
    const band = Math.floor(Math.log2(w.bytes));
    let list = bands.get(band);
    if (!list) bands.set(band, (list = []));
    list.push(frac);
  }
  console.log(`${gpu.id} (${gpu.hbmTBps} TB/s): achieved fraction of HBM bandwidth by KV bytes per call`);
  console.log("  bytes       rows   p10    median p90");
  for (const band of [...bands.keys()].sort((a, b) => a - b)) {
    const v = bands.get(band)!.sort((a, b) => a - b);
    const mib = 2 ** band / 2 ** 20;
    const label = `${mib.toFixed(0)} MiB`;
    console.log(
      `  ${label.padEnd(10)} ${String(v.length).padStart(5)}  ${quantile(v, 0.1).toFixed(2)}   ${quantile(v, 0.5).toFixed(2)}   ${quantile(v, 0.9).toFixed(2)}`,
    );
  }
}
