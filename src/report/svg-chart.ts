/**
 * Small inline-SVG charts for the self-contained HTML report: scatter groups, line series and
 * reference lines on linear or log axes, with a legend. No scripts; hover text uses SVG `<title>`.
 * Every string is HTML-escaped; numbers are formatted here.
 */
import { escapeHtml as esc } from "./html-escape.js";

export interface ChartAxis {
  label: string;
  log?: boolean;
  /** Fixed ends; values outside are drawn at the edge. */
  min?: number;
  max?: number;
  /** Tick label format. @default fmtTick */
  format?: (v: number) => string;
}

export interface ScatterGroup {
  name: string;
  color: string;
  shape: "dot" | "ring" | "cross" | "diamond";
  /** Marker radius, px. */
  r: number;
  points: { x: number; y: number; label: string }[];
}

export interface LineSeries {
  name: string;
  color: string;
  dashed?: boolean;
  /** Also a dot at each point (short series, where a line alone hides the points). */
  markers?: boolean;
  points: [x: number, y: number][];
}

export interface RefLine {
  axis: "x" | "y";
  value: number;
  label: string;
}

export interface ChartSpec {
  title: string;
  x: ChartAxis;
  y: ChartAxis;
  groups?: ScatterGroup[];
  lines?: LineSeries[];
  refs?: RefLine[];
  /** px. @default 720 x 380 */
  width?: number;
  height?: number;
}

const LEGEND_W = 210;
const M = { l: 64, r: 16, t: 34, b: 48 };

/** Compact tick label: 1500 -> "1.5k", 2000000 -> "2M", 0.25 -> "0.25". */
export function fmtTick(v: number): string {
  const a = Math.abs(v);
  const trim = (x: number): string => String(Number(x.toPrecision(3)));
  if (a >= 1e9) return `${trim(v / 1e9)}G`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  return trim(v);
}

/** "Nice" linear ticks (1, 2, 5 x 10^k steps) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Log ticks: powers of ten, plus 2x and 5x when the range spans under three decades. */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  const decades = Math.log10(hi / lo);
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of decades < 3 ? [1, 2, 5] : [1]) {
      const v = m * 10 ** e;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(Number(v.toPrecision(12)));
    }
  }
  return out.length > 0 ? out : [lo, hi];
}

interface Scale {
  (v: number): number;
  ticks: number[];
}

function makeScale(axis: ChartAxis, values: number[], range: [number, number]): Scale {
  const vs = values.filter((v) => Number.isFinite(v) && (!axis.log || v > 0));
  let lo = axis.min ?? (vs.length ? Math.min(...vs) : 0);
  let hi = axis.max ?? (vs.length ? Math.max(...vs) : 1);
  if (axis.log) {
    if (!(lo > 0)) lo = hi > 0 ? hi / 10 : 1;
    if (!(hi > lo)) hi = lo * 10;
    const llo = Math.log10(lo);
    const lhi = Math.log10(hi);
    const f = ((v: number) => {
      const c = Math.min(Math.max(v > 0 ? Math.log10(v) : llo, llo), lhi);
      return range[0] + ((c - llo) / (lhi - llo)) * (range[1] - range[0]);
    }) as Scale;
    f.ticks = logTicks(lo, hi);
    return f;
  }
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= pad;
    hi += pad;
  } else {
    const pad = (hi - lo) * 0.05;
    if (axis.min === undefined) lo = lo >= 0 && lo - pad < 0 ? 0 : lo - pad;
    if (axis.max === undefined) hi += pad;
  }
  const f = ((v: number) => {
    const c = Math.min(Math.max(v, lo), hi);
    return range[0] + ((c - lo) / (hi - lo)) * (range[1] - range[0]);
  }) as Scale;
  f.ticks = niceTicks(lo, hi);
  return f;
}

const n1 = (v: number): string => (Math.round(v * 10) / 10).toString();

function marker(shape: ScatterGroup["shape"], x: number, y: number, r: number, color: string): string {
  const cx = n1(x);
  const cy = n1(y);
  switch (shape) {
    case "dot":
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${color}" fill-opacity="0.85"/>`;
    case "ring":
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="none" stroke="${color}" stroke-width="2.5"/>`;
    case "diamond":
      return `<path d="M${n1(x)} ${n1(y - r)}L${n1(x + r)} ${cy}L${cx} ${n1(y + r)}L${n1(x - r)} ${cy}Z" fill="${color}"/>`;
    case "cross":
      return `<path d="M${n1(x - r)} ${n1(y - r)}L${n1(x + r)} ${n1(y + r)}M${n1(x - r)} ${n1(y + r)}L${n1(x + r)} ${n1(y - r)}" stroke="${color}" stroke-width="1.5"/>`;
  }
}

/** Renders one chart as an `<svg>` element string. */
export function renderChart(spec: ChartSpec): string {
  const W = spec.width ?? 720;
  const H = spec.height ?? 380;
  const plotR = W - LEGEND_W - M.r;
  const plotB = H - M.b;
  const groups = spec.groups ?? [];
  const lines = spec.lines ?? [];
  const refs = spec.refs ?? [];
  const xs = [...groups.flatMap((g) => g.points.map((p) => p.x)), ...lines.flatMap((l) => l.points.map((p) => p[0])), ...refs.filter((r) => r.axis === "x").map((r) => r.value)];
  const ys = [...groups.flatMap((g) => g.points.map((p) => p.y)), ...lines.flatMap((l) => l.points.map((p) => p[1])), ...refs.filter((r) => r.axis === "y").map((r) => r.value)];
  const sx = makeScale(spec.x, xs, [M.l, plotR]);
  const sy = makeScale(spec.y, ys, [plotB, M.t]);
  const fx = spec.x.format ?? fmtTick;
  const fy = spec.y.format ?? fmtTick;
  const o: string[] = [];
  o.push(`<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(spec.title)}">`);
  o.push(`<text class="title" x="${M.l}" y="20">${esc(spec.title)}</text>`);
  // Grid and ticks.
  for (const t of sx.ticks) {
    const x = n1(sx(t));
    o.push(`<line class="grid" x1="${x}" y1="${M.t}" x2="${x}" y2="${plotB}"/>`);
    o.push(`<text class="tick" x="${x}" y="${plotB + 16}" text-anchor="middle">${esc(fx(t))}</text>`);
  }
  for (const t of sy.ticks) {
    const y = n1(sy(t));
    o.push(`<line class="grid" x1="${M.l}" y1="${y}" x2="${plotR}" y2="${y}"/>`);
    o.push(`<text class="tick" x="${M.l - 6}" y="${n1(sy(t) + 4)}" text-anchor="end">${esc(fy(t))}</text>`);
  }
  o.push(`<rect class="frame" x="${M.l}" y="${M.t}" width="${n1(plotR - M.l)}" height="${n1(plotB - M.t)}"/>`);
  o.push(`<text class="axis" x="${n1((M.l + plotR) / 2)}" y="${H - 10}" text-anchor="middle">${esc(spec.x.label)}</text>`);
  o.push(`<text class="axis" transform="translate(16 ${n1((M.t + plotB) / 2)}) rotate(-90)" text-anchor="middle">${esc(spec.y.label)}</text>`);
  // Reference lines.
  for (const r of refs) {
    if (r.axis === "x") {
      const x = n1(sx(r.value));
      o.push(`<line class="ref" x1="${x}" y1="${M.t}" x2="${x}" y2="${plotB}"/>`);
      // Near the bottom, on the side of the line with more room.
      const right = sx(r.value) > (M.l + plotR) / 2;
      o.push(`<text class="reflabel" x="${n1(sx(r.value) + (right ? -4 : 4))}" y="${plotB - 6}"${right ? ' text-anchor="end"' : ""}>${esc(r.label)}</text>`);
    } else {
      const y = n1(sy(r.value));
      o.push(`<line class="ref" x1="${M.l}" y1="${y}" x2="${plotR}" y2="${y}"/>`);
      const below = sy(r.value) - M.t < 14; // no room above a line at the top of the plot
      o.push(`<text class="reflabel" x="${plotR - 4}" y="${n1(sy(r.value) + (below ? 12 : -4))}" text-anchor="end">${esc(r.label)}</text>`);
    }
  }
  // Lines, then markers on top.
  for (const l of lines) {
    const pts = l.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (pts.length === 0) continue;
    const d = pts.map(([x, y], i) => `${i === 0 ? "M" : "L"}${n1(sx(x))} ${n1(sy(y))}`).join("");
    o.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="6 4"' : ""}><title>${esc(l.name)}</title></path>`);
    if (l.markers) for (const [x, y] of pts) o.push(`<circle cx="${n1(sx(x))}" cy="${n1(sy(y))}" r="3.5" fill="${l.color}"><title>${esc(`${l.name}: ${fy(y)}`)}</title></circle>`);
  }
  for (const g of groups) {
    o.push(`<g class="group">`);
    for (const p of g.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      o.push(`<g>${marker(g.shape, sx(p.x), sy(p.y), g.r, g.color)}<title>${esc(p.label)}</title></g>`);
    }
    o.push(`</g>`);
  }
  // Legend.
  const lx = plotR + 14;
  let ly = M.t + 8;
  for (const g of groups) {
    o.push(`<g>${marker(g.shape, lx + 6, ly - 4, Math.min(g.r, 6), g.color)}<text class="legend" x="${lx + 18}" y="${ly}">${esc(truncate(g.name))}</text><title>${esc(g.name)}</title></g>`);
    ly += 18;
  }
  for (const l of lines) {
    o.push(`<g><line x1="${lx}" y1="${ly - 4}" x2="${lx + 12}" y2="${ly - 4}" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="4 2"' : ""}/><text class="legend" x="${lx + 18}" y="${ly}">${esc(truncate(l.name))}</text><title>${esc(l.name)}</title></g>`);
    ly += 18;
  }
  o.push(`</svg>`);
  return o.join("\n");
}

function truncate(s: string, n = 30): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}
