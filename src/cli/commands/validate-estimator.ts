/** `hisim-tune validate estimator --measured <csv> --gpu <id>`: the report of `validateEstimatorTable`. */
import { readKernelCsv } from "../../io/kernel-csv.js";
import { newTable } from "../../report/table.js";
import { validateEstimatorTable } from "../../runner/validate-estimator.js";
import type { Backend } from "../../sim/estimator/kernel-model.js";
import type { CliIo } from "../io.js";

interface Options {
  measured: string;
  gpu: string;
  backend?: Backend;
  json?: boolean;
}

export async function validateEstimatorCommand(opts: Options, io: CliIo): Promise<void> {
  const table = readKernelCsv(opts.measured);
  const v = validateEstimatorTable(table, opts.gpu, opts.backend ?? "auto");
  if (opts.json) {
    io.out(`${JSON.stringify(v, null, 2)}\n`);
    return;
  }
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  io.out(
    `${opts.measured}\n${v.table} table on ${v.gpu}, backend ${v.backend} (roofline parameters: fit "${v.fit}")\n` +
      `rows ${v.rows}, skipped ${v.skipped}; MAPE ${pct(v.mape)}, median APE ${pct(v.medianApe)}, p90 APE ${pct(v.p90Ape)}\n` +
      `held-out rows (grid point not in the bundled table): ${v.heldOut.rows}, MAPE ${pct(v.heldOut.mape)}\n` +
      `predicted from: table ${v.bySource.table}, anchored roofline ${v.bySource.anchored}, roofline ${v.bySource.roofline}\n`,
  );
  const t = newTable(["dtype", "rows", "MAPE"], ["left", "right", "right"]);
  for (const [k, a] of Object.entries(v.byDtype)) t.push([k, a.rows, pct(a.mape)]);
  io.out(`${t.toString()}\n`);
  for (const [why, n] of Object.entries(v.skippedReasons)) io.out(`skipped ${n}: ${why}\n`);
}
