/**
 * Dev script: fits the engine constants that end-to-end serving depends on and checks them by
 * leave-one-campaign-out, replaying measured rows exactly as `validate e2e` does.
 *
 *   node_modules/.bin/tsx scripts/calibrate-e2e.ts <e2e.csv> [--loco] [--fit-rows N] [--json]
 *   e.g. node_modules/.bin/tsx scripts/calibrate-e2e.ts ../shared/data/e2e/silicon_h100_dense_agg.csv --loco
 *
 * The constants (one set for every engine; what differs between engines and releases is structure,
 * from `engine.version`):
 * - the engine's CPU work per step (src/sim/estimator/engine-overhead.ts): per request, per prefill
 *   entry, and the share an overlap scheduler cannot hide;
 * - the server front end (src/sim/deployment/front-end-costs.ts) is not fitted: the H100 rows do
 *   not show it (it is set from first principles there); its grids are empty here;
 * - the benchmark client's time to start a request (src/sim/workload/closed-loop.ts).
 * A campaign is system x backend x version x model x quantization (src/runner/e2e-campaigns.ts).
 * Each constant is fitted on what it moves, each campaign weighing the same: the engine's CPU costs
 * on the mean TPOT MAPE (TPOT is the better measured quantity, and these set the step time), the
 * client's start time on the mean TTFT MAPE; coordinate descent over fixed grids. To keep it
 * lean on a shared machine, fits use at most `--fit-rows` rows per campaign (every k-th row, default
 * 16); every reported figure uses all rows.
 *
 * Without --loco: fits on every campaign and prints the constants and in-sample errors. With --loco:
 * for each campaign, fits on the others and predicts it; prints the held-out errors and their mean.
 * Nothing is written: copy printed constants into the files above.
 */
import { readE2eCsv, type E2eRow } from "../src/io/e2e-csv.js";
import { campaignOf, errorsByCampaign, type CampaignError } from "../src/runner/e2e-campaigns.js";
import { skipReason, validateE2e, type ServingCostsOverride } from "../src/runner/validate-e2e.js";
import { FRONT_END_COSTS } from "../src/sim/deployment/front-end-costs.js";
import { ENGINE_OVERHEAD } from "../src/sim/estimator/engine-overhead.js";
import { CLIENT_REQUEST_US } from "../src/sim/workload/closed-loop.js";

interface Params {
  perRequestUs: number;
  perPrefillUs: number;
  overlapExposedShare: number;
  frontEndRequestUs: number;
  frontEndTokenUs: number;
  clientRequestUs: number;
}

const GRID: Record<keyof Params, number[]> = {
  perRequestUs: [10, 20, 30, 40, 50, 65, 80],
  perPrefillUs: [0, 50, 100, 200, 400],
  overlapExposedShare: [0, 0.1, 0.2, 0.35, 0.5],
  frontEndRequestUs: [],
  frontEndTokenUs: [],
  clientRequestUs: [300, 1000, 3000, 10000],
};

const current: Params = {
  perRequestUs: ENGINE_OVERHEAD.perRequestUs,
  perPrefillUs: ENGINE_OVERHEAD.perPrefillUs,
  overlapExposedShare: ENGINE_OVERHEAD.overlapExposedShare,
  frontEndRequestUs: FRONT_END_COSTS.requestUs,
  frontEndTokenUs: FRONT_END_COSTS.tokenUs,
  clientRequestUs: CLIENT_REQUEST_US,
};

function costsOf(p: Params): ServingCostsOverride {
  return {
    engine: { ...ENGINE_OVERHEAD, perRequestUs: p.perRequestUs, perPrefillUs: p.perPrefillUs, overlapExposedShare: p.overlapExposedShare },
    frontEnd: { ...FRONT_END_COSTS, requestUs: p.frontEndRequestUs, tokenUs: p.frontEndTokenUs },
    clientRequestUs: p.clientRequestUs,
  };
}

function evaluate(rows: E2eRow[], p: Params): CampaignError[] {
  return errorsByCampaign(rows, validateE2e(rows, undefined, { costs: costsOf(p) }).details);
}

const TTFT_PARAMS = new Set<keyof Params>(["clientRequestUs", "frontEndRequestUs"]);
const objective = (errs: CampaignError[], k: keyof Params) =>
  errs.reduce((s, e) => s + (TTFT_PARAMS.has(k) ? e.ttftMape : e.tpotMape), 0) / Math.max(1, errs.length);

/** Every k-th row of each campaign, at most `perCampaign` of them. */
function subsample(rows: E2eRow[], perCampaign: number): E2eRow[] {
  const groups = new Map<string, E2eRow[]>();
  for (const r of rows) {
    const k = campaignOf(r);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = []));
    g.push(r);
  }
  const out: E2eRow[] = [];
  for (const g of groups.values()) {
    const step = Math.max(1, Math.ceil(g.length / perCampaign));
    out.push(...g.filter((_, i) => i % step === 0));
  }
  return out;
}

function fit(rows: E2eRow[], log: (s: string) => void): Params {
  let best = { ...current };
  let bestErrs = evaluate(rows, best);
  const keys = (Object.keys(GRID) as (keyof Params)[]).filter((k) => GRID[k].length > 0);
  for (let pass = 0; pass < 2; pass++) {
    let moved = false;
    for (const k of keys) {
      let bestScore = objective(bestErrs, k);
      for (const v of GRID[k]) {
        if (v === best[k]) continue;
        const trial = { ...best, [k]: v };
        const errs = evaluate(rows, trial);
        const s = objective(errs, k);
        if (s < bestScore - 1e-6) {
          bestScore = s;
          best = trial;
          bestErrs = errs;
          moved = true;
        }
      }
      log(`  pass ${pass + 1} ${k} = ${best[k]} (${TTFT_PARAMS.has(k) ? "TTFT" : "TPOT"} ${(bestScore * 100).toFixed(2)})`);
    }
    if (!moved) break;
  }
  return best;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith("--"));
  if (!file) {
    process.stderr.write("usage: tsx scripts/calibrate-e2e.ts <e2e.csv> [--loco] [--fit-rows N] [--json]\n");
    process.exit(2);
  }
  const fitRowsArg = args.indexOf("--fit-rows");
  const perCampaign = fitRowsArg >= 0 ? Number(args[fitRowsArg + 1]) : 16;
  const json = args.includes("--json");
  const log = (s: string) => (json ? process.stderr : process.stdout).write(`${s}\n`);
  const rows = readE2eCsv(file).filter((r) => skipReason(r) === undefined);
  const campaigns = [...new Set(rows.map(campaignOf))].sort();
  log(`${rows.length} rows in ${campaigns.length} campaigns`);

  const result: Record<string, unknown> = {};
  log("fit on every campaign:");
  const all = fit(subsample(rows, perCampaign), log);
  const inSample = evaluate(rows, all);
  result.fit = all;
  result.inSample = inSample;
  log(`constants ${JSON.stringify(all)}`);
  for (const e of inSample) log(`  in-sample ${e.campaign} (${e.rows}): TTFT ${pct(e.ttftMape)} TPOT ${pct(e.tpotMape)}`);

  if (args.includes("--loco")) {
    const held: (CampaignError & { fit: Params })[] = [];
    for (const c of campaigns) {
      log(`leave out ${c}:`);
      const train = rows.filter((r) => campaignOf(r) !== c);
      const p = fit(subsample(train, perCampaign), log);
      const [e] = evaluate(rows.filter((r) => campaignOf(r) === c), p);
      held.push({ ...e, fit: p });
      log(`  held out ${c} (${e.rows}): TTFT ${pct(e.ttftMape)} TPOT ${pct(e.tpotMape)}  constants ${JSON.stringify(p)}`);
    }
    const mean = (f: (e: CampaignError) => number) => held.reduce((s, e) => s + f(e), 0) / held.length;
    const n = held.reduce((s, e) => s + e.rows, 0);
    const rowMean = (f: (e: CampaignError) => number) => held.reduce((s, e) => s + f(e) * e.rows, 0) / n;
    result.leaveOneCampaignOut = {
      campaigns: held,
      meanTtftMape: mean((e) => e.ttftMape), meanTpotMape: mean((e) => e.tpotMape),
      rowWeightedTtftMape: rowMean((e) => e.ttftMape), rowWeightedTpotMape: rowMean((e) => e.tpotMape),
    };
    log(`held-out mean over campaigns: TTFT ${pct(mean((e) => e.ttftMape))} TPOT ${pct(mean((e) => e.tpotMape))}; ` +
      `over rows: TTFT ${pct(rowMean((e) => e.ttftMape))} TPOT ${pct(rowMean((e) => e.tpotMape))}`);
  }
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

main();
