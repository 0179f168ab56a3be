import { describe, expect, it } from "vitest";
import type { ReportContext } from "../../src/report/context.js";
import { mdText, renderSummaryMarkdown } from "../../src/report/summary-md.js";
import { TARGETS } from "../search/make-points.js";
import { infeasibleFile, sampleFile } from "./sample-file.js";

const ctx: ReportContext = {
  targets: TARGETS, sloName: "chat-qwen3-32b", model: "qwen3-32b", workload: "synthetic chat, Poisson 40 req/s",
  seed: 7, workers: 2, stages: [{ stage: 2, name: "routing co-evaluation", runs: 240, wallS: 40 }],
};

function section(md: string, title: string): string {
  const start = md.indexOf(`## ${title}`);
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  const next = md.indexOf("\n## ", start + 3);
  return md.slice(start, next < 0 ? undefined : next);
}

describe("renderSummaryMarkdown", () => {
  const md = renderSummaryMarkdown(sampleFile(), ctx);

  it("states what was asked", () => {
    const s = section(md, "What was asked");
    expect(s).toContain("| TTFT | p99 | ≤ 2000 ms |");
    expect(s).toContain("| TPOT | p99 | ≤ 50.0 ms |");
    expect(s).toContain("| Throughput |  | ≥ 40.0 req/s |");
    expect(s).toContain("Workload: synthetic chat, Poisson 40 req/s");
  });

  it("explains the recommendation: cost, binding target, headroom, next cheapest", () => {
    const s = section(md, "Recommended deployment");
    expect(s).toContain("**4 x h100_sxm tp2 · bf16/bf16 · sglang b128 c8192 · cache_aware · L2 256 GB (lru, write_through)**");
    expect(s).toContain("$23.92 per hour, $0.830 per 1M output tokens");
    expect(s).toContain("TPOT p99 42.0 ms (84% of 50.0 ms); TPOT is the binding target");
    expect(s).toContain("52.0 req/s (1.30x the demand)");
    expect(s).toContain("the lowest cost per hour of the 4 evaluated deployments that meet every target");
    expect(s).toContain("costs $29.90/h (+25.0%)"); // 29.90 / 23.92 - 1
    expect(s).toContain("Lowest cost per token: 4 x h200_sxm tp2");
  });

  it("lists the frontier with the recommended row marked", () => {
    const s = section(md, "Frontier");
    const rows = s.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| ---") && !l.includes("Deployment"));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^\| \*\*rec\.\*\* \| 4 x h100_sxm/);
    expect(rows[2]).toContain("`h200-tp2-x4`");
  });

  it("ranks GPU SKUs by their best USD per 1M tokens", () => {
    const s = section(md, "GPU SKUs ranked by best USD per 1M tokens");
    const rows = s.split("\n").filter((l) => /^\| [\d-] \|/.test(l));
    expect(rows.map((r) => r.split(" | ")[1])).toEqual(["h200_sxm", "h100_sxm", "a100_sxm", "l40s"]);
    expect(rows[0]).toContain("$0.700");
    // A GPU without an SLO-meeting point says why: here its closest miss.
    expect(rows[2]).toContain("none meets the SLO: simulated 1, e.g. 4 x a100_sxm tp4");
    expect(rows[2]).toContain("p99 TTFT 2600 ms \\> 2000 ms");
    expect(rows[2]).toMatch(/\| 0 \/ 1 \|$/);
  });

  it("reports run statistics", () => {
    const s = section(md, "Run");
    expect(s).toContain("Simulations: 312; wall time 48 s");
    expect(s).toContain("Deployments evaluated: 6, meeting the SLO: 4, on the frontier: 3");
    expect(s).toContain("Seed: 7");
    expect(s).toContain("| 2 | routing co-evaluation | 240 | 40 s |");
  });

  it("shows the closest misses when nothing meets the SLO", () => {
    const bad = renderSummaryMarkdown(infeasibleFile(), ctx);
    expect(bad).not.toContain("## Recommended deployment");
    const s = section(bad, "No deployment meets the SLO");
    expect(s).toContain("None of the 6 evaluated deployments meets every target at 40.0 req/s (confirmed on other seeds).");
    expect(bad).toContain("## Infeasible: no deployment meets the SLO");
    expect(s).toContain("p99 TTFT 2600 ms \\> 2000 ms, capacity 30 req/s \\< 40");
    expect(section(bad, "Frontier")).toContain("Empty: no point meets the SLO.");
  });

  it("escapes table-breaking characters in names", () => {
    expect(mdText("a|b *c* <d>\nx")).toBe("a\\|b \\*c\\* \\<d\\> x");
    const md2 = renderSummaryMarkdown(sampleFile(), { ...ctx, sloName: "x | y" });
    expect(md2.split("\n")[0]).toBe("# hisim-tune search: x \\| y");
  });

  it("is deterministic", () => {
    expect(renderSummaryMarkdown(sampleFile(), ctx)).toBe(md);
  });
});
