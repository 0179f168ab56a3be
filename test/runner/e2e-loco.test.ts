/**
 * Leave-one-campaign-out on the measured fixture rows (test/fixtures/e2e/silicon_h100_sample.csv:
 * three campaigns the simulator models). A held-out campaign must never reach its own fit: changing
 * its measurements leaves the constants fitted without it unchanged and moves only its held-out
 * error, by exactly what its replay gives against the changed figures.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readE2eCsv, type E2eRow } from "../../src/io/e2e-csv.js";
import { campaignOf, errorsByCampaign } from "../../src/runner/e2e-campaigns.js";
import { costsOf, leaveOneCampaignOut, type LeaveOneCampaignOut } from "../../src/runner/e2e-loco.js";
import { skipReason, validateE2e } from "../../src/runner/validate-e2e.js";
import { cli } from "../helpers/cli.js";
import { testTempDir } from "../helpers/tmp.js";

const FIXTURE = new URL("../fixtures/e2e/silicon_h100_sample.csv", import.meta.url).pathname;
const rows = readE2eCsv(FIXTURE);
const dir = testTempDir("hisim-loco-").path;

let base: LeaveOneCampaignOut | undefined;
const baseRun = () => (base ??= leaveOneCampaignOut(rows, { fitRows: 1 }));

describe("leaveOneCampaignOut", () => {
  it("holds out each modelled campaign once, with the skipped rows counted", () => {
    const r = baseRun();
    const modelled = rows.filter((x) => skipReason(x) === undefined);
    expect(r.campaigns.map((c) => c.campaign)).toEqual([...new Set(modelled.map(campaignOf))].sort());
    expect(r.campaigns.reduce((s, c) => s + c.rows, 0)).toBe(modelled.length);
    expect(r.skipped).toBe(rows.length - modelled.length);
    const mean = r.campaigns.reduce((s, c) => s + c.ttftMape, 0) / r.campaigns.length;
    expect(r.meanTtftMape).toBeCloseTo(mean, 4);
  });

  it("a held-out campaign's error is its replay with the constants fitted without it", () => {
    const r = baseRun();
    for (const c of r.campaigns) {
      const own = rows.filter((x) => skipReason(x) === undefined && campaignOf(x) === c.campaign);
      const [e] = errorsByCampaign(own, validateE2e(own, undefined, { costs: costsOf(c.fit) }).details);
      expect(e.ttftMape).toBe(c.ttftMape);
      expect(e.tpotMape).toBe(c.tpotMape);
    }
  });

  it("never fits on the campaign it predicts: doubling its measured TTFT leaves its constants as they were", () => {
    const r = baseRun();
    const target = r.campaigns[0].campaign;
    const changed: E2eRow[] = rows.map((x) => (campaignOf(x) === target ? { ...x, ttftMs: x.ttftMs * 2 } : x));
    const r2 = leaveOneCampaignOut(changed, { fitRows: 1 });
    expect(r2.campaigns[0].fit).toEqual(r.campaigns[0].fit);
    expect(r2.campaigns[0].ttftMape).not.toBe(r.campaigns[0].ttftMape);
    expect(r2.campaigns[0].tpotMape).toBe(r.campaigns[0].tpotMape);
  });
});

describe("validate e2e --leave-one-campaign-out", () => {
  it("prints the held-out figures as JSON", async () => {
    const r = await cli("validate", "e2e", "--measured", FIXTURE, "--leave-one-campaign-out", "--fit-rows", "1", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as LeaveOneCampaignOut;
    expect(j).toEqual(JSON.parse(JSON.stringify(baseRun())));
  });

  it("exits 2 with fewer than two campaigns or a bad --fit-rows", async () => {
    const lines = (await import("node:fs")).readFileSync(FIXTURE, "utf8").trim().split("\n");
    const one = join(dir, "one-campaign.csv");
    writeFileSync(one, `${[lines[0], ...lines.slice(1).filter((l) => l.includes(",sglang,0.5.1"))].join("\n")}\n`);
    const r1 = await cli("validate", "e2e", "--measured", one, "--leave-one-campaign-out", "--fit-rows", "1");
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain("at least two campaigns");
    const r2 = await cli("validate", "e2e", "--measured", FIXTURE, "--leave-one-campaign-out", "--fit-rows", "0");
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("--fit-rows");
  });
});
