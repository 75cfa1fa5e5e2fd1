/**
 * `distill compare --html`: one self-contained page (inline CSS and SVG, no script, no font or
 * image from the network) with the comparison table and the charts, readable on a 390 px phone:
 * the table scrolls sideways inside its box, text is at least 14 px. Every string that came from
 * an image (names, paths, history) is escaped.
 */
import { esc, findingsChart, layerChart } from './html-charts.ts';
import type { CompareRow } from './row.ts';
import { tableLines } from './table.ts';

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#111827;background:#f9fafb}
main{max-width:1100px;margin:0 auto;padding:16px}
h1{font-size:24px;margin:0 0 8px}
h2{font-size:19px;margin:24px 0 8px}
p{margin:8px 0;overflow-wrap:anywhere}
h1,h2{overflow-wrap:anywhere}
.note,.meta{color:#4b5563;font-size:14px}
.meta{padding-left:20px;overflow-wrap:anywhere}
code{font:14px ui-monospace,SFMono-Regular,Menlo,monospace}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;border:1px solid #d1d5db;border-radius:6px;background:#fff}
table{border-collapse:collapse;font-size:15px;min-width:100%}
th,td{padding:6px 10px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top}
thead th{background:#f3f4f6;overflow-wrap:anywhere;min-width:9em}
tbody th{font-weight:600;white-space:nowrap;position:sticky;left:0;background:#fff}
td{min-width:9em;overflow-wrap:anywhere}
.chart-row{margin:10px 0}
.chart-label{font-size:15px;overflow-wrap:anywhere}
.chart-label .value{color:#4b5563}
svg.bar{display:block;width:100%;height:24px;background:#e5e7eb;border-radius:3px}
.legend{font-size:14px}
.key{display:inline-block;margin-right:12px;white-space:nowrap}
.swatch{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px;border-radius:2px}
`;

/** The comparison table: a header cell per image, a line per feature. */
function table(rows: readonly CompareRow[]): string {
  const head = `<tr><th scope="col">Feature</th>${rows.map((r) => `<th scope="col">${esc(r.name)}</th>`).join('')}</tr>`;
  const body = tableLines(rows)
    .map(
      (l) =>
        `<tr><th scope="row">${esc(l.label)}</th>${l.cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`,
    )
    .join('\n');
  return `<div class="scroll"><table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table></div>`;
}

/** The whole page. */
export function compareHtml(rows: readonly CompareRow[], o: { title?: string } = {}): string {
  const title = o.title ?? 'distill compare';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
<ul class="meta">${rows.map((r) => `<li>${esc(r.name)} <code>${esc(r.digest)}</code></li>`).join('')}</ul>
<h2>Side by side</h2>
${table(rows)}
<h2>Size by layer</h2>
<p class="note">Uncompressed bytes of each layer, bottom layer first, all images on one scale.</p>
${layerChart(rows)}
<h2>Findings by severity</h2>
${findingsChart(rows)}
</main>
</body>
</html>
`;
}
