/**
 * Dev script: the evidence on benchmark-client phases in an end-to-end file (docs/fidelity.md, "Why
 * the held-out target is out of reach").
 *
 *   node_modules/.bin/tsx scripts/e2e-client-phases.ts <e2e.csv>
 *
 * 1. Per campaign, input length and TP: the simulated TTFT of one lone request, and each row's
 *    measured TTFT over it by concurrency (waves of clients wait for other prompts; spread ones do not).
 * 2. Per campaign: TTFT and TPOT MAPE of the `validate e2e` replay with 8, 20 and 50 requests per client.
 */
import { readE2eCsv } from "../src/io/e2e-csv.js";
import { campaignOf, errorsByCampaign } from "../src/runner/e2e-campaigns.js";
import { meanLatencies, prepareRow, skipReason, validateE2e, workloadForRow } from "../src/runner/validate-e2e.js";
import { runSimulation } from "../src/runner/prepare.js";
import { generateClosedLoop } from "../src/sim/workload/closed-loop.js";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: tsx scripts/e2e-client-phases.ts <e2e.csv>\n");
  process.exit(2);
}
const rows = readE2eCsv(file).filter((r) => skipReason(r) === undefined);
const lone = new Map<string, { ttftMs: number; ratios: string[] }>();
for (const row of rows) {
  const k = `${campaignOf(row)} isl ${row.isl} tp ${row.tp}`;
  let e = lone.get(k);
  if (!e) {
    const w = { ...workloadForRow(row, 3), concurrency: 1, requests: 3 };
    const res = runSimulation(prepareRow(row), generateClosedLoop(w, 1), 1);
    lone.set(k, (e = { ttftMs: meanLatencies(res.outcomes, row.osl).ttftMs, ratios: [] }));
  }
  e.ratios.push(`c${row.concurrency}:${(row.ttftMs / e.ttftMs).toFixed(2)}`);
}
for (const [k, e] of lone) console.log(`${k}: lone TTFT ${e.ttftMs.toFixed(0)} ms; measured / lone ${e.ratios.join(" ")}`);
for (const n of [8, 20, 50]) {
  const errs = errorsByCampaign(rows, validateE2e(rows, undefined, { requestsPerClient: n }).details);
  for (const c of errs) console.log(`${n} requests per client: ${c.campaign} (${c.rows}): TTFT ${(c.ttftMape * 100).toFixed(1)}% TPOT ${(c.tpotMape * 100).toFixed(1)}%`);
}
