import { describe, expect, it } from "vitest";
import { csvField, frontierCsvHeader, renderFrontierCsv } from "../../src/report/frontier-csv.js";
import { TARGETS } from "../search/make-points.js";
import { sampleFile } from "./sample-file.js";

/** A small RFC 4180 parser, independent of the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') q = false;
      else field += c;
    } else if (c === '"') q = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

describe("csvField", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rx", '"cr\rx"'],
    [12.5, "12.5"],
    [-0, "0"],
    [Number.NaN, ""],
    [Infinity, ""],
    [true, "true"],
    [undefined, ""],
  ] as const)("%j -> %j", (v, out) => {
    expect(csvField(v)).toBe(out);
  });
});

describe("renderFrontierCsv", () => {
  it("has the fixed header with percentiles in latency column names", () => {
    expect(frontierCsvHeader(TARGETS).join(",")).toBe(
      "id,stage,gpu,tp,weights,kvDtype,engine,maxRunningRequests,chunkedPrefillSize,replicas,routerPolicy," +
        "l2CapacityGb,l3Media,l3CapacityGb,evictionPolicy,prefetchPolicy,writePolicy,ttftP99Ms,tpotP99Ms,e2eMs," +
        "capacityRps,capacityEstimated,costUsdPerHour,usdPerMillionTokens,prices,prefixHitRate,sloMet,confirmedSeeds,onFrontier,recommended,note",
    );
    expect(frontierCsvHeader({ ...TARGETS, ttftMs: { percentile: 99.9, max: 1 }, e2eMs: { percentile: 90, max: 1 } })).toContain("ttftP99_9Ms");
    expect(frontierCsvHeader()).toContain("ttftMs");
  });

  it("writes one row per point with flags, and quotes fields that need it", () => {
    const f = sampleFile();
    f.points.find((p) => p.id === "h100-tp2-x4")!.note = 'tier "L2", then\nL3';
    const text = renderFrontierCsv(f, TARGETS);
    expect(text.endsWith("\n")).toBe(true);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(f.points.length + 1);
    const head = rows[0];
    const col = (r: string[], name: string) => r[head.indexOf(name)];
    for (const r of rows) expect(r).toHaveLength(head.length);
    const byId = new Map(rows.slice(1).map((r) => [r[0], r]));
    const rec = byId.get("h100-tp2-x4")!;
    expect(col(rec, "recommended")).toBe("true");
    expect(col(rec, "onFrontier")).toBe("true");
    expect(col(rec, "gpu")).toBe("h100_sxm");
    expect(col(rec, "replicas")).toBe("4");
    expect(col(rec, "l2CapacityGb")).toBe("256");
    expect(col(rec, "l3CapacityGb")).toBe("0");
    expect(col(rec, "l3Media")).toBe("");
    expect(col(rec, "ttftP99Ms")).toBe("1234");
    expect(col(rec, "costUsdPerHour")).toBe("23.92");
    expect(col(rec, "e2eMs")).toBe("");
    expect(col(rec, "note")).toBe('tier "L2", then\nL3');
    const dom = byId.get("h100-tp4-x3")!;
    expect([col(dom, "onFrontier"), col(dom, "recommended"), col(dom, "sloMet")]).toEqual(["false", "false", "true"]);
    expect(col(byId.get("a100-tp4-x4")!, "sloMet")).toBe("false");
    expect(col(byId.get("a100-tp4-x4")!, "note")).toBe("p99 TTFT 2600 ms > 2000 ms, capacity 30 req/s < 40");
    // Rows follow the file's points order.
    expect(rows.slice(1).map((r) => r[0])).toEqual(f.points.map((p) => p.id));
  });
});
