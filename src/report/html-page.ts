/**
 * The frame of the self-contained HTML pages (`report.html` of a search, of a nightly run): inline
 * CSS, a header with the title, a line of run facts and an introduction, then the sections. Nothing
 * is fetched over the network.
 */
import { escapeHtml as esc } from "./html-escape.js";

export interface HtmlPage {
  /** Page and h1 title (escaped here). */
  title: string;
  css: string;
  /** Run facts, joined with " · " on the line under the title (each escaped here). */
  meta: readonly string[];
  /** HTML after the facts line, inside the header. */
  intro: string;
  /** HTML of the sections, after the header. */
  body: string;
}

/** The whole page as one string. */
export function htmlPage(p: HtmlPage): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)}</title>
<style>${p.css}</style>
</head>
<body>
<header>
<h1>${esc(p.title)}</h1>
<p class="meta">${p.meta.map(esc).join(" · ")}</p>
${p.intro}
</header>
${p.body}
</body>
</html>
`;
}
