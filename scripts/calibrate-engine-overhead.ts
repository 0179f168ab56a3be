/**
 * Dev script: fits the per-engine CPU overheads (src/sim/estimator/engine-overhead.ts) to measured
 * end-to-end rows by replaying them exactly as `validate e2e` does.
 *
 *   node_modules/.bin/tsx scripts/calibrate-engine-overhead.ts <e2e.csv> [--engine sglang|vllm] [--quick]
 *   e.g. node_modules/.bin/tsx scripts/calibrate-engine-overhead.ts ../shared/data/e2e/silicon_h100_dense_agg.csv
 *
 * For each engine it runs a coordinate descent over (stepUs, perRequestUs, perPrefillUs) on a fixed
 * grid, minimizing TPOT MAPE plus a quarter of TTFT MAPE (TPOT is the better measured quantity and
 * the one these constants move; TTFT mostly depends on the replayed client phases). The rows come
 * from several measurement campaigns (engine version x model); each campaign with at least
 * MIN_CAMPAIGN_ROWS rows counts equally, so the largest one does not decide the constants alone, and
 * smaller ones are reported but not fitted. It prints the best constants, the errors of the current
 * ENGINE_OVERHEAD for comparison, and the sensitivity to the replayed requests per client. Nothing is
 * written: copy the printed constants into engine-overhead.ts.
 */
import { readE2eCsv, type E2eRow } from "../src/io/e2e-csv.js";
import { E2E_REQUESTS_PER_CLIENT, validateE2e, type E2eOptions } from "../src/runner/validate-e2e.js";
import type { EngineKind } from "../src/config/types.js";
import { ENGINE_OVERHEAD, type EngineOverhead } from "../src/sim/estimator/engine-overhead.js";

const GRID: Record<keyof EngineOverhead, number[]> = {
  stepUs: [0, 50, 100, 200, 300, 500, 800, 1200],
  perRequestUs: [0, 2, 5, 10, 15, 20, 25, 30, 40, 50, 60],
  perPrefillUs: [0, 30, 100, 300, 1000],
};

const MIN_CAMPAIGN_ROWS = 10;

interface Score {
  ttft: number;
  tpot: number;
  objective: number;
  campaigns: string;
}

const campaignOf = (r: E2eRow) => `${r.backendVersion || "unversioned"} ${r.model}`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function score(rows: E2eRow[], engine: EngineKind, o: EngineOverhead, extra: E2eOptions = {}): Score {
  const rep = validateE2e(rows, undefined, { ...extra, overhead: { [engine]: o } });
  const b = rep.byBackend[engine] ?? { ttftMape: 0, tpotMape: 0 };
  const byId = new Map(rows.map((r) => [r.id, r]));
  const groups = new Map<string, { n: number; ttft: number; tpot: number }>();
  for (const d of rep.details) {
    const k = campaignOf(byId.get(d.id)!);
    const g = groups.get(k) ?? { n: 0, ttft: 0, tpot: 0 };
    g.n++;
    g.ttft += d.ttftApe;
    g.tpot += d.tpotApe;
    groups.set(k, g);
  }
  let objective = 0;
  let fitted = 0;
  const parts: string[] = [];
  for (const [k, g] of [...groups].sort((x, y) => x[0].localeCompare(y[0]))) {
    parts.push(`${k} (${g.n}): TTFT ${pct(g.ttft / g.n)} TPOT ${pct(g.tpot / g.n)}${g.n < MIN_CAMPAIGN_ROWS ? " [not fitted]" : ""}`);
    if (g.n < MIN_CAMPAIGN_ROWS) continue;
    objective += (g.tpot + 0.25 * g.ttft) / g.n;
    fitted++;
  }
  return { ttft: b.ttftMape, tpot: b.tpotMape, objective: fitted > 0 ? objective / fitted : 0, campaigns: parts.join("; ") };
}

function calibrate(rows: E2eRow[], engine: EngineKind, quick: boolean): void {
  const cur = { ...ENGINE_OVERHEAD[engine] };
  const base = score(rows, engine, cur);
  console.log(`${engine}: ${rows.length} rows; current ${JSON.stringify(cur)} TTFT ${pct(base.ttft)} TPOT ${pct(base.tpot)}`);
  console.log(`  ${base.campaigns}`);
  let best = { o: cur, s: base };
  const keys = Object.keys(GRID) as (keyof EngineOverhead)[];
  for (let pass = 0; pass < (quick ? 1 : 2); pass++) {
    let moved = false;
    for (const k of keys) {
      for (const v of GRID[k]) {
        if (v === best.o[k]) continue;
        const o = { ...best.o, [k]: v };
        const s = score(rows, engine, o);
        if (s.objective < best.s.objective - 1e-4) {
          best = { o, s };
          moved = true;
          console.log(`  ${k}=${v}: TTFT ${pct(s.ttft)} TPOT ${pct(s.tpot)}`);
        }
      }
    }
    if (!moved) break;
  }
  console.log(`${engine} best ${JSON.stringify(best.o)}: TTFT ${pct(best.s.ttft)} TPOT ${pct(best.s.tpot)}`);
  console.log(`  ${best.s.campaigns}`);
  for (const r of [4, 8, 12, 20]) {
    if (r === E2E_REQUESTS_PER_CLIENT) continue;
    const s = score(rows, engine, best.o, { requestsPerClient: r });
    console.log(`  with ${r} requests per client (not ${E2E_REQUESTS_PER_CLIENT}): TTFT ${pct(s.ttft)} TPOT ${pct(s.tpot)}`);
  }
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith("--"));
  if (!file) {
    console.error("usage: calibrate-engine-overhead.ts <e2e.csv> [--engine sglang|vllm] [--quick]");
    process.exit(2);
  }
  const only = args.includes("--engine") ? args[args.indexOf("--engine") + 1] : undefined;
  const rows = readE2eCsv(file);
  for (const engine of ["sglang", "vllm"] as const) {
    if (only && only !== engine) continue;
    calibrate(rows.filter((r) => r.backend === engine), engine, args.includes("--quick"));
  }
}

main();
