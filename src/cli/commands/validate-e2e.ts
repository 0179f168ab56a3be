import { readE2eCsv } from "../../io/e2e-csv.js";
import { newTable } from "../../report/table.js";
import { DEFAULT_FIT_ROWS, leaveOneCampaignOut } from "../../runner/e2e-loco.js";
import { campaignOf } from "../../runner/e2e-campaigns.js";
import { skipReason, validateE2e } from "../../runner/validate-e2e.js";
import { UsageError } from "../../errors.js";
import type { CliIo } from "../io.js";

interface E2eOpts {
  measured: string;
  json?: boolean;
  details?: boolean;
  leaveOneCampaignOut?: boolean;
  fitRows?: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** `hisim-tune validate e2e --measured <csv> --leave-one-campaign-out`: held-out error per campaign. */
function locoCommand(opts: E2eOpts, io: CliIo): void {
  const fitRows = opts.fitRows === undefined ? DEFAULT_FIT_ROWS : Number(opts.fitRows);
  if (!Number.isInteger(fitRows) || fitRows < 1) throw new UsageError(`--fit-rows: expected a whole number of at least 1, got "${opts.fitRows}"`);
  const rows = readE2eCsv(opts.measured);
  const campaigns = new Set(rows.filter((r) => skipReason(r) === undefined).map(campaignOf)).size;
  if (campaigns < 2) throw new UsageError(`${opts.measured}: leave-one-campaign-out needs rows of at least two campaigns the simulator models, found ${campaigns}`);
  const loco = leaveOneCampaignOut(rows, { fitRows, log: (s) => io.err(`${s}\n`) });
  if (opts.json) {
    io.out(`${JSON.stringify(loco, null, 2)}\n`);
    return;
  }
  const t = newTable(["campaign left out", "rows", "held-out TTFT MAPE", "held-out TPOT MAPE", "constants fitted without it"]);
  for (const c of loco.campaigns) {
    t.push([c.campaign, c.rows, pct(c.ttftMape), pct(c.tpotMape),
      `${c.fit.perRequestUs}/${c.fit.perPrefillUs} us, overlap ${c.fit.overlapExposedShare}, client ${c.fit.clientRequestUs / 1000} ms`]);
  }
  t.push(["mean over campaigns", "", pct(loco.meanTtftMape), pct(loco.meanTpotMape), ""]);
  t.push(["mean over rows", loco.campaigns.reduce((s, c) => s + c.rows, 0), pct(loco.rowWeightedTtftMape), pct(loco.rowWeightedTpotMape), ""]);
  io.out(`${opts.measured}: leave-one-campaign-out\n${t.toString()}\n`);
}

/** `hisim-tune validate e2e --measured <csv>`. */
export async function validateE2eCommand(opts: E2eOpts, io: CliIo): Promise<void> {
  if (opts.leaveOneCampaignOut) return locoCommand(opts, io);
  const rows = readE2eCsv(opts.measured);
  const report = validateE2e(rows);
  if (opts.json) {
    const { details, ...rest } = report;
    io.out(`${JSON.stringify(opts.details ? report : rest, null, 2)}\n`);
    void details;
    return;
  }
  const t = newTable(["backend", "rows", "TTFT MAPE", "TPOT MAPE"]);
  for (const [b, v] of Object.entries(report.byBackend)) t.push([b, v.rows, pct(v.ttftMape), pct(v.tpotMape)]);
  t.push(["all", report.rows, pct(report.ttftMape), pct(report.tpotMape)]);
  const worst = newTable(["row", "isl/osl", "tp", "conc", "TTFT meas/sim ms", "TPOT meas/sim ms"]);
  const sorted = [...report.details].sort((a, b) => b.tpotApe + b.ttftApe - (a.tpotApe + a.ttftApe) || a.id.localeCompare(b.id));
  for (const d of sorted.slice(0, 10)) {
    worst.push([`${d.backend} ${d.model.split("/").pop()}`, `${d.isl}/${d.osl}`, d.tp, d.concurrency,
      `${d.measuredTtftMs.toFixed(0)} / ${d.simTtftMs.toFixed(0)}`, `${d.measuredTpotMs.toFixed(2)} / ${d.simTpotMs.toFixed(2)}`]);
  }
  const skipped = Object.entries(report.skippedReasons).map(([k, v]) => `  ${v} skipped: ${k}`).join("\n");
  io.out(`${opts.measured}\n${t.toString()}\n${skipped}\nLargest errors:\n${worst.toString()}\n`);
}
