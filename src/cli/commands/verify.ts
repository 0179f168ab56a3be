/** `hisim-tune verify`: per target, the achieved percentile under each seed and whether it holds. */
import { fmtMs, pLabel } from "../../report/format.js";
import { newTable } from "../../report/table.js";
import { runVerify, type VerifyResult } from "../../search/verify.js";
import type { CliIo } from "../io.js";

interface VerifyFlags {
  slo: string;
  deployment: string;
  seeds?: number;
  firstSeed?: number;
  rate?: number;
  workers?: number;
  prices?: string;
  json?: boolean;
}

const NAMES = { ttftMs: "TTFT", tpotMs: "TPOT", e2eMs: "E2E" } as const;

function render(r: VerifyResult): string {
  const head = ["Target", ...r.seeds.map((s) => `seed ${s}`), "Holds"];
  const t = newTable(head, head.map((_, i) => (i === 0 ? "left" : "right")));
  for (const x of r.targets) {
    t.push([
      `${NAMES[x.metric]} ${pLabel(x.percentile)} <= ${fmtMs(x.maxMs)} ms`,
      ...x.perSeed.map((s) => `${fmtMs(s.valueMs ?? undefined)}${s.holds ? "" : " MISS"}`),
      `${x.heldSeeds}/${r.seeds.length}`,
    ]);
  }
  const lines = [
    `${r.slo}: ${r.requests} requests per seed at ${r.rateRps} req/s (demand ${r.demandRps}), prices ${r.prices}`,
    t.toString(),
    `every target holds under ${r.passedSeeds} of ${r.seeds.length} seeds`,
  ];
  for (const s of r.perSeed) if (!s.sloMet && s.note) lines.push(`  seed ${s.seed}: ${s.note}`);
  return `${lines.join("\n")}\n`;
}

/**
 * Runs the check and prints it. Returns whether every target held under every seed (the CLI maps a
 * miss to exit code 3: a verdict, not an error).
 */
export async function verifyCommand(flags: VerifyFlags, io: CliIo): Promise<boolean> {
  const r = await runVerify({
    slo: flags.slo, deployment: flags.deployment, seeds: flags.seeds, firstSeed: flags.firstSeed, rateRps: flags.rate,
    workers: flags.workers, prices: flags.prices,
  });
  io.out(flags.json ? `${JSON.stringify(r, null, 2)}\n` : render(r));
  return r.allHold;
}
