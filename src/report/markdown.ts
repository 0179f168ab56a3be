/** Markdown building blocks for `summary.md`: escaped inline text and pipe tables. */

/** Escapes Markdown inline syntax that would break a line or a table cell. */
export function mdText(s: string): string {
  return s.replace(/[\\|*<>[\]`]/g, (c) => `\\${c}`).replace(/\r?\n/g, " ");
}

/** A pipe table; `align` per column ("r" right-aligns). */
export function mdTable(head: string[], rows: string[][], align?: ("l" | "r")[]): string {
  const sep = head.map((_, i) => (align?.[i] === "r" ? "---:" : "---"));
  return [head, sep, ...rows].map((r) => `| ${r.join(" | ")} |`).join("\n");
}
