/**
 * A horizontal bar chart with side-by-side panels sharing one row per item (e.g. cost and capacity
 * per GPU), as an inline `<svg>` with no scripts; a row with no value in a panel shows its note.
 * `standalone` adds the SVG namespace and styles so the string is a valid `.svg` file on its own.
 */
import { escapeHtml as esc } from "./html-escape.js";

export interface BarPanel {
  title: string;
  color: string;
  /** One value per row; null = none (the row's note is drawn instead). */
  values: (number | null)[];
  format: (v: number) => string;
  /** A dashed reference line across the panel (e.g. the demand on a capacity panel). */
  ref?: { value: number; label: string };
}

export interface BarChartSpec {
  title: string;
  rows: string[];
  panels: BarPanel[];
  /** Shown in a panel where a row has no value. */
  notes?: (string | undefined)[];
  width?: number;
  standalone?: boolean;
}

const ROW_H = 26;
const LABEL_W = 110;
const TOP = 46;
const n1 = (x: number): string => String(Math.round(x * 10) / 10);

/** Inline styles for a standalone file (the HTML reports carry their own). */
const STANDALONE_STYLE =
  "<style>text{font:12px sans-serif;fill:#222}.title{font-weight:600;font-size:14px}.panel{font-weight:600}.val{fill:#333}.none{fill:#888;font-style:italic}.grid{stroke:#e5e5e5}</style>";

/** Renders the chart. */
export function renderBarChart(spec: BarChartSpec): string {
  const W = spec.width ?? 760;
  const panels = spec.panels;
  const panelW = (W - LABEL_W - 16) / Math.max(1, panels.length);
  const H = TOP + spec.rows.length * ROW_H + 12;
  const o: string[] = [];
  const ns = spec.standalone ? ' xmlns="http://www.w3.org/2000/svg"' : "";
  o.push(`<svg${ns} class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(spec.title)}">`);
  if (spec.standalone) o.push(STANDALONE_STYLE, `<rect x="0" y="0" width="${W}" height="${H}" fill="#fff"/>`);
  o.push(`<text class="title" x="8" y="18">${esc(spec.title)}</text>`);
  spec.rows.forEach((r, i) => {
    const y = TOP + i * ROW_H;
    if (i % 2 === 1) o.push(`<rect x="0" y="${y}" width="${W}" height="${ROW_H}" fill="#000" fill-opacity="0.03"/>`);
    o.push(`<text class="tick" x="${LABEL_W - 8}" y="${n1(y + ROW_H / 2 + 4)}" text-anchor="end">${esc(r)}</text>`);
  });
  panels.forEach((p, k) => {
    const x0 = LABEL_W + k * panelW;
    const barMax = panelW - 70;
    const max = Math.max(0, p.ref?.value ?? 0, ...p.values.filter((v): v is number => v !== null && Number.isFinite(v)));
    o.push(`<text class="panel" x="${n1(x0)}" y="${TOP - 10}">${esc(p.title)}</text>`);
    o.push(`<line class="grid" x1="${n1(x0)}" y1="${TOP - 4}" x2="${n1(x0)}" y2="${TOP + spec.rows.length * ROW_H}" stroke="#ccc"/>`);
    p.values.forEach((v, i) => {
      const y = TOP + i * ROW_H;
      if (v === null || !Number.isFinite(v)) {
        const note = spec.notes?.[i] ?? "none";
        o.push(`<text class="none" x="${n1(x0 + 4)}" y="${n1(y + ROW_H / 2 + 4)}">${esc(note.length > 46 ? `${note.slice(0, 45)}…` : note)}<title>${esc(note)}</title></text>`);
        return;
      }
      const w = max > 0 ? Math.max(1, (v / max) * barMax) : 1;
      o.push(`<rect x="${n1(x0)}" y="${n1(y + 5)}" width="${n1(w)}" height="${ROW_H - 10}" fill="${p.color}"><title>${esc(`${spec.rows[i]}: ${p.format(v)}`)}</title></rect>`);
      o.push(`<text class="val" x="${n1(x0 + w + 4)}" y="${n1(y + ROW_H / 2 + 4)}">${esc(p.format(v))}</text>`);
    });
    if (p.ref && max > 0) {
      const x = n1(x0 + (p.ref.value / max) * barMax);
      const bottom = TOP + spec.rows.length * ROW_H;
      o.push(`<line x1="${x}" y1="${TOP - 2}" x2="${x}" y2="${bottom}" stroke="#b00020" stroke-dasharray="4 3"><title>${esc(p.ref.label)}</title></line>`);
    }
  });
  o.push(`</svg>`);
  return o.join("\n");
}
