/**
 * Dev script: measured TTFT at low concurrency relative to the estimator's time for one lone prefill
 * of the row's prompt, per measurement campaign (engine x version x model x quantization). At low
 * concurrency with long outputs the prefills of different clients rarely meet, so a faithful engine
 * model puts TTFT near one prefill (x1-1.5 with the wait for the running step and the first wave).
 * Campaigns whose ratios differ by far more than that cannot both be matched by any one engine-level
 * constant: it is the evidence behind the vLLM TTFT figure in docs/fidelity.md.
 *
 * With --sensitivity it also replays every row of each campaign as `validate e2e` does, at 4, 8 and 16
 * requests per client (the count the measurements did not record), and prints TTFT MAPE per campaign.
 *
 *   node_modules/.bin/tsx scripts/e2e-ttft-campaigns.ts <e2e.csv> [--max-concurrency 8] [--min-osl 1024] [--sensitivity]
 *   e.g. node_modules/.bin/tsx scripts/e2e-ttft-campaigns.ts ../shared/data/e2e/silicon_h100_dense_agg.csv
 */
import { defaultPrices } from "../src/catalog/prices.js";
import { readE2eCsv } from "../src/io/e2e-csv.js";
import { estimatorFor, prepareDeployment } from "../src/runner/prepare.js";
import type { E2eRow } from "../src/io/e2e-csv.js";
import { deploymentForRow, skipReason, validateE2e } from "../src/runner/validate-e2e.js";

const args = process.argv.slice(2);
const file = args[0];
const flag = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
if (!file) {
  console.error("usage: e2e-ttft-campaigns.ts <e2e.csv> [--max-concurrency n] [--min-osl n]");
  process.exit(2);
}
const maxC = flag("--max-concurrency", 8);
const minOsl = flag("--min-osl", 1024);

const campaign = (row: E2eRow) => `${row.backend} ${row.backendVersion || "(no version)"} ${row.model} ${row.gemmQuant || "bf16"}`;
const rows = readE2eCsv(file).filter((r) => !skipReason(r));
const groups = new Map<string, { row: string; ratio: number }[]>();
for (const row of rows) {
  if (row.concurrency > maxC || row.osl < minOsl) continue;
  const dep = prepareDeployment(deploymentForRow(row), undefined, { prices: defaultPrices() });
  const lone = estimatorFor(dep).estimate([{ cacheLen: 0, inputLen: row.isl }]).latencyMs;
  const key = campaign(row);
  let list = groups.get(key);
  if (!list) groups.set(key, (list = []));
  list.push({ row: `tp${row.tp} ${row.isl}x${row.osl} c${row.concurrency}`, ratio: row.ttftMs / lone });
}
console.log(`measured TTFT / estimated lone prefill, rows with concurrency <= ${maxC} and osl >= ${minOsl}`);
for (const key of [...groups.keys()].sort()) {
  const list = groups.get(key)!;
  const sorted = list.map((x) => x.ratio).sort((a, b) => a - b);
  console.log(`${key}: ${list.length} rows, median x${sorted[Math.floor(sorted.length / 2)].toFixed(2)} ` +
    `(min x${sorted[0].toFixed(2)}, max x${sorted[sorted.length - 1].toFixed(2)})`);
  for (const x of list) console.log(`  ${x.row.padEnd(22)} x${x.ratio.toFixed(2)}`);
}

if (args.includes("--sensitivity")) {
  const byCampaign = new Map<string, E2eRow[]>();
  for (const r of rows) {
    let list = byCampaign.get(campaign(r));
    if (!list) byCampaign.set(campaign(r), (list = []));
    list.push(r);
  }
  console.log("\nTTFT MAPE per campaign by replayed requests per client");
  for (const key of [...byCampaign.keys()].sort()) {
    const cells = [4, 8, 16].map((n) => `${n}: ${(validateE2e(byCampaign.get(key)!, undefined, { requestsPerClient: n }).ttftMape * 100).toFixed(1)}%`);
    console.log(`${key} (${byCampaign.get(key)!.length} rows): ${cells.join("  ")}`);
  }
}
