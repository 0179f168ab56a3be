import { readE2eCsv } from "../../io/e2e-csv.js";
import { newTable } from "../../report/table.js";
import { validateE2e } from "../../runner/validate-e2e.js";
import type { CliIo } from "../io.js";

/** `hisim-tune validate e2e --measured <csv>`. */
export async function validateE2eCommand(opts: { measured: string; json?: boolean; details?: boolean }, io: CliIo): Promise<void> {
  const rows = readE2eCsv(opts.measured);
  const report = validateE2e(rows);
  if (opts.json) {
    const { details, ...rest } = report;
    io.out(`${JSON.stringify(opts.details ? report : rest, null, 2)}\n`);
    void details;
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
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
