import { describe, expect, it } from "vitest";
import { formatSummaryTable } from "../../src/report/summary-table.js";
import { TARGETS } from "../search/make-points.js";
import { infeasibleFile, sampleFile } from "./sample-file.js";

const dataRows = (text: string) => text.split("\n").filter((l) => /^│ [* ] │ \d+ x /.test(l) || /^│  │ \d+ x /.test(l));

describe("formatSummaryTable", () => {
  it("prints the recommendation and one row per frontier point", () => {
    const s = formatSummaryTable(sampleFile(), TARGETS);
    expect(s.startsWith("Recommended: 4 x h100_sxm tp2 · bf16/bf16 · sglang b128 c8192 · cache_aware · L2 256 GB")).toBe(true);
    expect(s).toContain("$23.92/h, $0.830 per 1M tokens, capacity 52.0 req/s (demand 40.0), TTFT 1234 ms, TPOT 42.0 ms");
    expect(s).toContain("TTFT p99 ms");
    const rows = dataRows(s);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^│ \* │ 4 x h100_sxm tp2/);
    expect(rows[0]).toContain("84%");
    expect(rows[2]).toContain("4 x h200_sxm tp2");
    expect(s.trimEnd().split("\n").pop()).toBe("6 deployments evaluated, 312 simulations in 48 s (run 20261123-101500-chat-qwen3-32b-a1b2c3)");
    expect(s).not.toMatch(/\x1b\[/); // plain, no colour codes
  });

  it("prints the closest misses when nothing meets the SLO", () => {
    const s = formatSummaryTable(infeasibleFile());
    expect(s.startsWith("No deployment meets the SLO at 40.0 req/s.")).toBe(true);
    expect(dataRows(s)).toHaveLength(5);
    expect(s).toContain("a100-tp4-x4: p99 TTFT 2600 ms > 2000 ms");
    expect(s).not.toContain("Pressure"); // no targets given
  });
});
