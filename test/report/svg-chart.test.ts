import { describe, expect, it } from "vitest";
import { fmtTick, logTicks, niceTicks, renderChart } from "../../src/report/svg-chart.js";

describe("ticks", () => {
  it("niceTicks uses 1-2-5 steps", () => {
    expect(niceTicks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(13, 87)).toEqual([20, 40, 60, 80]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });

  it("logTicks gives decades, with 2 and 5 over short ranges", () => {
    expect(logTicks(1000, 1e7)).toEqual([1000, 10000, 100000, 1e6, 1e7]);
    expect(logTicks(100, 1000)).toEqual([100, 200, 500, 1000]);
  });

  it("fmtTick is compact", () => {
    expect([fmtTick(0.25), fmtTick(1500), fmtTick(20000), fmtTick(2e6), fmtTick(3e9)]).toEqual(["0.25", "1500", "20k", "2M", "3G"]);
  });
});

describe("renderChart", () => {
  it("escapes labels and draws one marker per finite point", () => {
    const svg = renderChart({
      title: "a <b> & \"c\"",
      x: { label: "x" },
      y: { label: "y" },
      groups: [{ name: "g", color: "#000", shape: "dot", r: 3, points: [{ x: 1, y: 2, label: "<p1>" }, { x: Number.NaN, y: 1, label: "nan" }, { x: 3, y: 4, label: "p3" }] }],
    });
    expect(svg).toContain("a &lt;b&gt; &amp; &quot;c&quot;");
    expect(svg).toContain("<title>&lt;p1&gt;</title>");
    expect(svg).not.toContain("nan</title>");
    expect(svg.match(/<circle /g)).toHaveLength(3); // two points and the legend swatch
  });

  it("draws reference lines and line series", () => {
    const svg = renderChart({
      title: "t", x: { label: "x", log: true }, y: { label: "y", min: 0, max: 1 },
      lines: [{ name: "s", color: "#123456", points: [[10, 0.1], [100, 0.5], [1000, 0.9]] }],
      refs: [{ axis: "y", value: 0.5, label: "half" }],
    });
    expect(svg).toMatch(/<path d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+L[\d.]+ [\d.]+" fill="none" stroke="#123456"/);
    expect(svg).toContain(">half</text>");
  });
});
