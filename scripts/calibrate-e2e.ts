/**
 * Dev script: fits the engine constants that end-to-end serving depends on (src/runner/e2e-loco.ts)
 * and, with --loco, checks them by leave-one-campaign-out, replaying measured rows exactly as
 * `validate e2e` does (`validate e2e --leave-one-campaign-out` prints the same held-out figures).
 *
 *   node_modules/.bin/tsx scripts/calibrate-e2e.ts <e2e.csv> [--loco] [--fit-rows N] [--json]
 *
 * Without --loco: fits on every campaign and prints the constants and in-sample errors. Nothing is
 * written: copy printed constants into src/sim/estimator/engine-overhead.ts and
 * src/sim/workload/closed-loop.ts.
 */
import { readE2eCsv } from "../src/io/e2e-csv.js";
import { campaignOf } from "../src/runner/e2e-campaigns.js";
import { DEFAULT_FIT_ROWS, evaluateConstants, fitConstants, leaveOneCampaignOut, subsample } from "../src/runner/e2e-loco.js";
import { skipReason } from "../src/runner/validate-e2e.js";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith("--"));
  if (!file) {
    process.stderr.write("usage: tsx scripts/calibrate-e2e.ts <e2e.csv> [--loco] [--fit-rows N] [--json]\n");
    process.exit(2);
  }
  const fitRowsArg = args.indexOf("--fit-rows");
  const fitRows = fitRowsArg >= 0 ? Number(args[fitRowsArg + 1]) : DEFAULT_FIT_ROWS;
  const json = args.includes("--json");
  const log = (s: string) => (json ? process.stderr : process.stdout).write(`${s}\n`);
  const all = readE2eCsv(file);
  const rows = all.filter((r) => skipReason(r) === undefined);
  log(`${rows.length} rows in ${new Set(rows.map(campaignOf)).size} campaigns`);

  const result: Record<string, unknown> = {};
  log("fit on every campaign:");
  const fit = fitConstants(subsample(rows, fitRows), log);
  const inSample = evaluateConstants(rows, fit);
  result.fit = fit;
  result.inSample = inSample;
  log(`constants ${JSON.stringify(fit)}`);
  for (const e of inSample) log(`  in-sample ${e.campaign} (${e.rows}): TTFT ${pct(e.ttftMape)} TPOT ${pct(e.tpotMape)}`);

  if (args.includes("--loco")) {
    const loco = leaveOneCampaignOut(all, { fitRows, log });
    result.leaveOneCampaignOut = loco;
    log(`held-out mean over campaigns: TTFT ${pct(loco.meanTtftMape)} TPOT ${pct(loco.meanTpotMape)}; ` +
      `over rows: TTFT ${pct(loco.rowWeightedTtftMape)} TPOT ${pct(loco.rowWeightedTpotMape)}`);
  }
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main();
