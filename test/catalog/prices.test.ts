/**
 * Price lists: the bundled lists (one default, every figure sourced and dated), `--prices` resolution
 * (a name, a file, a partial file over the default), input errors, and the GPU catalog's host memory.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { listGpus } from "../../src/catalog/index.js";
import { defaultPriceList, listPriceLists, resolvePrices } from "../../src/catalog/prices.js";
import { InputError } from "../../src/errors.js";

const tmp = mkdtempSync(join(tmpdir(), "hisim-prices-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, value: unknown): string {
  const p = join(tmp, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.issues.map((i) => `${i.path ?? ""} ${i.message}`);
    throw e;
  }
  throw new Error("expected an InputError");
}

describe("bundled price lists", () => {
  it("has a neocloud and a hyperscaler on-demand list, the hyperscaler one marked default", () => {
    expect(listPriceLists().map((l) => l.name).sort()).toEqual(["hyperscaler-on-demand-2026-11", "neocloud-2026-10"]);
    expect(listPriceLists().filter((l) => l.default).map((l) => l.name)).toEqual(["hyperscaler-on-demand-2026-11"]);
    expect(defaultPriceList().description).toMatch(/default/i);
  });

  it.each(listPriceLists().map((l) => [l.name, l] as const))("%s prices every catalog GPU with a source and carries a date", (_, l) => {
    expect(l.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const g of listGpus()) {
      expect(l.gpuUsdPerHour?.[g.id]).toBeGreaterThan(0);
      expect(l.gpuSources?.[g.id]?.length).toBeGreaterThan(20);
    }
    // No public on-demand H20 price exists: the source must say the figure is an estimate.
    expect(l.gpuSources?.h20).toMatch(/^estimate/);
    expect(l.hostMemoryUsdPerGbHour).toBe(0);
  });

  it("per-GPU prices are the published node prices divided by 8 (hand-computed)", () => {
    const aws = resolvePrices("hyperscaler-on-demand-2026-11").gpuUsdPerHour;
    expect(aws.h100_sxm).toBeCloseTo(55.04 / 8, 4); // p5.48xlarge
    expect(aws.b200).toBeCloseTo(113.9328 / 8, 4); // p6-b200.48xlarge
    const cw = resolvePrices("neocloud-2026-10").gpuUsdPerHour;
    expect(cw.h100_sxm).toBeCloseTo(49.24 / 8, 4); // CoreWeave HGX H100 node
    expect(cw.b200).toBeCloseTo(68.8 / 8, 4);
  });
});

describe("resolvePrices (--prices)", () => {
  it("absent = the default list, named", () => {
    const p = resolvePrices();
    expect(p.name).toBe("hyperscaler-on-demand-2026-11");
    expect(p.base).toBeUndefined();
  });

  it("a file listing only some GPUs overrides those and names the list that filled the rest", () => {
    const p = resolvePrices(file("mine.json", { name: "my-h100-deal", gpuUsdPerHour: { h100_sxm: 2.1 } }));
    expect(p.gpuUsdPerHour.h100_sxm).toBe(2.1);
    expect(p.gpuUsdPerHour.b200).toBeCloseTo(14.2416, 6);
    expect(p.name).toBe("my-h100-deal (rest from hyperscaler-on-demand-2026-11)");
    expect(p.base).toBe("hyperscaler-on-demand-2026-11");
  });

  it("a complete file keeps its own name", () => {
    const gpuUsdPerHour = Object.fromEntries(listGpus().map((g) => [g.id, 1]));
    const p = resolvePrices(file("all.json", { name: "flat", gpuUsdPerHour, hostMemoryUsdPerGbHour: 0, mediaUsdPerGbHour: { nvme: 0, file: 0, remote_pool: 0 } }));
    expect(p.name).toBe("flat");
    expect(p.base).toBeUndefined();
  });

  it("relative paths resolve from the given folder", () => {
    file("rel.json", { name: "rel", gpuUsdPerHour: { l40s: 0.5 } });
    expect(resolvePrices("rel.json", tmp).gpuUsdPerHour.l40s).toBe(0.5);
  });

  it("rejects unknown names, unknown GPUs, negative prices and unknown fields, naming the path", () => {
    expect(issuesOf(() => resolvePrices("aws-2019")).join()).toMatch(/unknown price list "aws-2019"; expected one of hyperscaler-on-demand-2026-11, neocloud-2026-10/);
    expect(issuesOf(() => resolvePrices(file("typo.json", { name: "t", gpuUsdPerHour: { h100: 2 } })))).toEqual([
      expect.stringMatching(/^\/gpuUsdPerHour\/h100 unknown GPU/),
    ]);
    expect(issuesOf(() => resolvePrices(file("neg.json", { name: "n", gpuUsdPerHour: { h100_sxm: -1 } })))[0]).toMatch(/^\/gpuUsdPerHour\/h100_sxm /);
    expect(issuesOf(() => resolvePrices(file("extra.json", { name: "x", gpuPrice: {} })))[0]).toMatch(/^\/gpuPrice unknown field/);
    expect(issuesOf(() => resolvePrices(file("media.json", { name: "m", mediaUsdPerGbHour: { tape: 0.1 } })))[0]).toMatch(/^\/mediaUsdPerGbHour\/tape unknown L3 medium/);
  });
});

describe("GPU catalog host memory", () => {
  it("every GPU carries hostMemoryGbPerGpu with a source; no price is left in the catalog", () => {
    for (const g of listGpus()) {
      expect(g.hostMemoryGbPerGpu).toBeGreaterThan(0);
      expect(g.hostMemorySource.length).toBeGreaterThan(20);
      expect(Object.keys(g).some((k) => /usd/i.test(k))).toBe(false);
    }
    const byId = Object.fromEntries(listGpus().map((g) => [g.id, g.hostMemoryGbPerGpu]));
    // AWS node DRAM / 8 GPUs: p5 2,048 GiB, p4de 1,152 GiB, g6e.48xlarge 1,536 GiB.
    expect(byId).toMatchObject({ h100_sxm: 256, a100_sxm: 144, l40s: 192, b200: 256 });
  });
});
