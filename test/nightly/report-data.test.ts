/** Nightly changes and regressions against a baseline, on hand-made rows. */
import { describe, expect, it } from "vitest";
import { changesBetween, compareWithBaseline, nightlyExitCode, type NightlyReport, type ServiceResult } from "../../src/nightly/report-data.js";

const T = { costIncreasePct: 5, capacityDropPct: 5 };

function row(o: Partial<ServiceResult> = {}): ServiceResult {
  return {
    name: "chat", demandScale: 1, demandRps: 20, status: "ok", recommended: null, gpu: "h100_sxm", gpus: 4, costUsdPerHour: 27.52,
    usdPerMillionTokens: 7.2, capacityRps: 24, headroom: 1.2, sloPressure: 0.8, run: "chat-x1", changes: [], ...o,
  };
}

describe("changesBetween", () => {
  it("a cost rise past the threshold is a regression, one within it only a change", () => {
    const up30 = changesBetween(row(), row({ costUsdPerHour: 27.52 * 1.3 }), T);
    expect(up30).toEqual([{ field: "costUsdPerHour", before: 27.52, after: 27.52 * 1.3, regression: true, why: "cost up 30.0% > 5%" }]);
    const up4 = changesBetween(row(), row({ costUsdPerHour: 27.52 * 1.04 }), T);
    expect(up4).toEqual([{ field: "costUsdPerHour", before: 27.52, after: 27.52 * 1.04, regression: false }]);
  });

  it("a capacity drop past the threshold is a regression; a rise is not", () => {
    expect(changesBetween(row(), row({ capacityRps: 22 }), T)[0]).toMatchObject({ field: "capacityRps", regression: true, why: "capacity down 8.3% > 5%" });
    expect(changesBetween(row(), row({ capacityRps: 30 }), T)[0]).toMatchObject({ field: "capacityRps", regression: false });
  });

  it("headroom counts only with its own threshold", () => {
    expect(changesBetween(row(), row({ headroom: 1.0 }), T)[0]).toMatchObject({ field: "headroom", regression: false });
    expect(changesBetween(row(), row({ headroom: 1.0 }), { ...T, headroomDropPct: 10 })[0]).toMatchObject({ regression: true, why: "headroom down 16.7% > 10%" });
  });

  it("losing the SLO-meeting deployment is a regression; the GPU change is reported", () => {
    const c = changesBetween(row(), row({ status: "infeasible", gpu: null, gpus: null, costUsdPerHour: null, capacityRps: null, headroom: null, usdPerMillionTokens: null, sloPressure: null }), T);
    expect(c[0]).toEqual({ field: "status", before: "ok", after: "infeasible", regression: true, why: "no longer has an SLO-meeting deployment" });
    expect(c.filter((x) => x.regression)).toHaveLength(1);
    expect(c.map((x) => x.field)).toEqual(["status", "gpu", "gpus", "costUsdPerHour", "usdPerMillionTokens", "sloPressure", "capacityRps", "headroom"]);
  });
});

describe("compareWithBaseline and the exit code", () => {
  it("matches rows by service and scale and counts regressions", () => {
    const rows = [row({ costUsdPerHour: 40 }), row({ demandScale: 2, costUsdPerHour: 60 }), row({ name: "new" })];
    const n = compareWithBaseline(rows, [row(), row({ demandScale: 2, costUsdPerHour: 59 })], T);
    expect(n).toBe(1);
    expect(rows[1].changes).toHaveLength(1);
    expect(rows[2].changes).toEqual([]);
  });

  it("3 when a service has no deployment, else 4 on a regression, else 0", () => {
    const r = (services: ServiceResult[], regressions: number): NightlyReport =>
      ({ schemaVersion: 1, plan: "p", date: "2026-12-04", prices: "x", baseline: null, regressions, thresholds: T, services });
    expect(nightlyExitCode(r([row()], 0))).toBe(0);
    expect(nightlyExitCode(r([row()], 2))).toBe(4);
    expect(nightlyExitCode(r([row(), row({ status: "infeasible" })], 2))).toBe(3);
    expect(nightlyExitCode(r([row({ status: "partial" })], 0))).toBe(3);
  });
});
