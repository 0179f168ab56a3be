import { describe, expect, it } from "vitest";
import type { ReportContext } from "../../src/report/context.js";
import { renderReportHtml } from "../../src/report/report-html.js";
import { TARGETS } from "../search/make-points.js";
import { infeasibleFile, sampleFile } from "./sample-file.js";

const ctx: ReportContext = { targets: TARGETS, sloName: "chat-qwen3-32b", model: "qwen3-32b", version: "0.1.0" };

const VOID = new Set(["meta", "br", "img", "input", "hr", "link", "col", "area", "base", "wbr", "source"]);

/** Checks that tags nest properly (a small stack machine; self-closing SVG tags and void HTML tags allowed). */
function checkBalanced(html: string): void {
  const body = html.replace(/<!doctype[^>]*>/i, "").replace(/<style>[\s\S]*?<\/style>/, "<style></style>");
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(\/?)>/g)) {
    const [, close, name, self] = m;
    const tag = name.toLowerCase();
    if (self || (!close && VOID.has(tag))) continue;
    if (close) {
      const open = stack.pop();
      expect(open, `</${tag}> closes <${open}>`).toBe(tag);
    } else stack.push(tag);
  }
  expect(stack).toEqual([]);
}

/** Attribute values and CSS that could load something. */
function externalRefs(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/\s(?:src|href|xlink:href|action|data|poster|srcset)\s*=\s*"([^"]*)"/gi)) out.push(m[0]);
  for (const m of html.matchAll(/url\(|@import|<script|<link|<iframe|<object|<embed|<img/gi)) out.push(m[0]);
  for (const m of html.matchAll(/<[^>]*https?:\/\/[^>]*>/gi)) out.push(m[0]); // inside any tag
  return out;
}

describe("renderReportHtml", () => {
  const html = renderReportHtml(sampleFile(), ctx);

  it("is self-contained: no scripts, links, URLs in tags or CSS imports", () => {
    expect(externalRefs(html)).toEqual([]);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toMatch(/<style>[\s\S]+<\/style>/);
  });

  it("is well formed", () => {
    checkBalanced(html);
    checkBalanced(renderReportHtml(infeasibleFile(), ctx));
  });

  it("has the frontier scatter, both latency CDFs, the hit-rate curve and the points table", () => {
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html).toContain("Capacity vs cost");
    expect(html).toContain("TTFT CDF (frontier points)");
    expect(html).toContain("TPOT CDF (frontier points)");
    expect(html).toContain("Prefix hit rate vs cache capacity");
    expect(html).toContain("unbounded 62.0%");
    // One row per point, the recommended and frontier ones highlighted.
    const rows = html.slice(html.indexOf('<section id="points">')).match(/<tr[ >]/g)!;
    expect(rows).toHaveLength(1 + 6);
    expect(html.match(/<tr class="rec"/g)).toHaveLength(1);
    expect(html.match(/<tr class="frontier"/g)).toHaveLength(2);
    expect(html.match(/<tr class="miss"/g)).toHaveLength(2);
  });

  it("marks the recommended deployment on the scatter plots", () => {
    const capacity = html.slice(html.indexOf("Capacity vs cost"), html.indexOf("</svg>", html.indexOf("Capacity vs cost")));
    // Markers: 2 misses (crosses), 1 dominated (dot), 3 frontier (diamonds), 1 recommended ring (+ legend swatches).
    expect(capacity.match(/stroke-width="2.5"/g)).toHaveLength(2); // ring + legend ring
    expect(capacity.match(/<title>[^<]*h100-tp2-x4/g)!.length).toBeGreaterThanOrEqual(2); // frontier diamond + ring
  });

  it("HTML-escapes every string from the inputs", () => {
    const evil = sampleFile();
    evil.points[0].note = '<img src="http://x/y.png" onerror="alert(1)">';
    evil.runId = "<b>run</b>";
    const h = renderReportHtml(evil, { ...ctx, sloName: "<script>alert('x')</script>", workload: 'a "quoted" & <odd> one' });
    expect(h).not.toContain("<script");
    expect(h).not.toContain("<img");
    expect(h).not.toContain("<b>run</b>");
    expect(h).toContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect(h).toContain("&lt;img src=&quot;http://x/y.png&quot;");
    expect(h).toContain("a &quot;quoted&quot; &amp; &lt;odd&gt; one");
    expect(externalRefs(h)).toEqual([]);
    checkBalanced(h);
  });

  it("says what is missing instead of drawing empty charts", () => {
    const f = sampleFile();
    delete f.hitCurve;
    for (const p of f.points) delete p.cdf;
    const h = renderReportHtml(f, ctx);
    expect(h).toContain("No latency distributions were recorded");
    expect(h).toContain("No hit-rate curve was computed");
    expect(h.match(/<svg /g)).toHaveLength(2);
  });

  it("explains infeasibility with the closest misses", () => {
    const h = renderReportHtml(infeasibleFile(), ctx);
    expect(h).toContain("No evaluated deployment meets every target at 40.0 req/s.");
    expect(h).toContain("p99 TTFT 2600 ms &gt; 2000 ms");
  });

  it("is deterministic", () => {
    expect(renderReportHtml(sampleFile(), ctx)).toBe(html);
  });
});
