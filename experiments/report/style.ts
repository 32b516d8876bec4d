// The report's inline stylesheet: a quiet, print-friendly page; no web fonts or other external requests.

export const REPORT_CSS = `
:root { --ink: #222; --muted: #666; --rule: #ddd; --accent: #0d47a1; --soft: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', sans-serif; }
main { max-width: 1260px; margin: 0 auto; padding: 28px 32px 60px; }
h1 { font-size: 26px; margin: 0 0 4px; font-weight: 650; }
h2 { font-size: 21px; margin: 44px 0 6px; padding-top: 18px; border-top: 2px solid var(--ink); font-weight: 650; }
h3 { font-size: 16px; margin: 28px 0 8px; font-weight: 650; }
p { margin: 6px 0 10px; max-width: 80ch; }
a { color: var(--accent); }
code { font: 13px/1.4 'DejaVu Sans Mono', Menlo, Consolas, monospace; background: var(--soft); padding: 1px 4px; border-radius: 3px; }
.meta { color: var(--muted); margin: 0 0 14px; }
.recommendation { background: var(--soft); border-left: 4px solid var(--accent); padding: 12px 16px; margin: 14px 0 6px; max-width: 90ch; }
.recommendation strong { font-size: 17px; }
dl.settings { display: grid; grid-template-columns: max-content 1fr; gap: 2px 18px; margin: 8px 0 0; font-size: 14px; }
dl.settings dt { color: var(--muted); }
dl.settings dd { margin: 0; }
table { border-collapse: collapse; font-size: 14px; margin: 8px 0 4px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 12px; text-align: right; border-bottom: 1px solid var(--rule); white-space: nowrap; }
th { font-weight: 600; border-bottom: 1.5px solid var(--ink); vertical-align: bottom; }
th:first-child, td:first-child { text-align: left; }
tr.best td { background: #eef4fc; font-weight: 600; }
td .range { color: var(--muted); font-weight: 400; font-size: 12.5px; }
td.none { color: var(--muted); font-style: italic; }
.swatch { display: inline-block; width: 18px; height: 0; border-top: 3px solid; vertical-align: middle; margin-right: 7px; }
.swatch.dashed { border-top-style: dashed; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 22px 28px; margin-top: 10px; }
figure { margin: 0; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 4px; max-width: 75ch; }
details { margin-top: 14px; }
summary { cursor: pointer; font-weight: 600; }
footer { margin-top: 48px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--rule); padding-top: 10px; }
nav ul { margin: 4px 0 0; padding-left: 20px; }
@media print { main { padding: 0; } h2 { break-before: page; } figure { break-inside: avoid; } }
`;
