// Builds the viewer's HTML page: stylesheet and bundled script inline, and either the trace itself
// (a self-contained file for `ssp viz --out`) or the URL to fetch it from (for `ssp viz`'s server).

import { escapeHtml } from "./format.ts";
import { PAGE_CSS } from "./page-style.ts";

export interface PageOptions {
  /** The browser bundle (dist/viz.js) text. */
  script: string;
  title?: string;
  /** Trace text to embed in the page. */
  traceText?: string;
  /** Or: a URL the page fetches the trace from. */
  traceUrl?: string;
  /** Shown as the trace's name (e.g. its file name). */
  traceName?: string;
}

/** Text placed inside a <script> element must not contain "</script" (or "<!--"): escape every "<".
 * In JSON lines "<" only occurs inside strings, where \u003c means the same character. */
export function embedJsonLines(text: string): string {
  return text.replaceAll("<", "\\u003c");
}

/** The bundle goes inline too; in JavaScript source "<\/script" and "</script" are the same string. */
function embedScript(script: string): string {
  return script.replaceAll("</script", "<\\/script").replaceAll("<!--", "<\\!--");
}

export function buildPage(options: PageOptions): string {
  const title = escapeHtml(options.title ?? "ssptable timeline");
  const attributes: string[] = [];
  if (options.traceUrl !== undefined) attributes.push(`data-trace-url="${escapeHtml(options.traceUrl)}"`);
  if (options.traceName !== undefined) attributes.push(`data-trace-name="${escapeHtml(options.traceName)}"`);
  const trace =
    options.traceText === undefined
      ? ""
      : `<script id="ssp-trace" type="application/x-ndjson" data-source="${escapeHtml(options.traceName ?? "embedded trace")}">${embedJsonLines(options.traceText)}</script>\n`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${PAGE_CSS}</style>
</head>
<body${attributes.length > 0 ? ` ${attributes.join(" ")}` : ""}>
${trace}<script>${embedScript(options.script)}</script>
</body>
</html>
`;
}
