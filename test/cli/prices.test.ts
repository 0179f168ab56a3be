/**
 * `--prices` end to end: the main command and `simulate` price with the named list and say which;
 * `catalog prices` lists the bundled lists.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkSchema } from "../../src/config/validate.js";
import { cli } from "../helpers/cli.js";

const root = resolve(new URL("../..", import.meta.url).pathname);
const dir = mkdtempSync(join(tmpdir(), "hisim-prices-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(content));
  return p;
};

// One GPU, one TP, one router: a search of a few simulations.
const space = file("space.json", {
  gpus: ["h100_sxm"], tp: [1], engines: ["sglang"], maxRunningRequests: [16, 128], chunkedPrefillSize: [8192],
  routerPolicies: ["round_robin"], maxReplicas: 3,
});
const cheap = file("cheap.json", { name: "cheap-h100", gpuUsdPerHour: { h100_sxm: 1.25 } });

describe("--prices", () => {
  it("the main command costs every point with the named list and says so in frontier.json", async () => {
    const r = await cli("--slo", join(root, "test/fixtures/search/small-slo.json"), "--space", space, "--prices", cheap,
      "--out", join(dir, "run"), "--workers", "1", "--json");
    expect([0, 3]).toContain(r.code);
    const f = JSON.parse(r.stdout);
    expect(f.prices).toBe("cheap-h100 (rest from hyperscaler-on-demand-2026-11)");
    expect(f.schemaVersion).toBe(2);
    expect(checkSchema("frontier", f)).toEqual([]);
    const simulated = f.points.filter((p: { note?: string }) => !/not simulated/.test(p.note ?? ""));
    expect(simulated.length).toBeGreaterThan(0);
    for (const p of simulated) expect(p.costUsdPerHour).toBeCloseTo(p.deployment.replicas * p.deployment.tp * 1.25, 6);
  });

  it("an unknown list is an input error (exit 2) naming the bundled lists", async () => {
    const r = await cli("--slo", join(root, "test/fixtures/search/small-slo.json"), "--prices", "gcp-2031", "--out", join(dir, "bad"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown price list "gcp-2031"; expected one of hyperscaler-on-demand-2026-11, neocloud-2026-10/);
  });

  it("simulate prices with --prices and names the list", async () => {
    const dep = file("dep.json", { model: "llama-3.1-8b", gpu: "h100_sxm", tp: 2, replicas: 3 });
    const w = file("w.json", { kind: "closed-loop", concurrency: 2, requests: 6, inputTokens: { fixed: 64 }, outputTokens: { fixed: 4 } });
    const r = await cli("simulate", "--deployment", dep, "--workload", w, "--prices", "neocloud-2026-10", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.prices).toBe("neocloud-2026-10");
    expect(j.costUsdPerHour).toBeCloseTo(6 * 6.155, 4);
  });

  it("catalog prices lists both bundled lists, the default marked", async () => {
    const r = await cli("catalog", "prices");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hyperscaler-on-demand-2026-11 \(default\)/);
    expect(r.stdout).toMatch(/neocloud-2026-10/);
    const j = JSON.parse((await cli("catalog", "prices", "--json")).stdout);
    expect(j.map((l: { name: string }) => l.name)).toEqual(["hyperscaler-on-demand-2026-11", "neocloud-2026-10"]);
  });
});
