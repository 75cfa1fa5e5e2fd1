/**
 * The report's charts as inline SVG (no script, no network): one stacked bar per image with a
 * segment per layer (uncompressed bytes, all bars on one scale), and one stacked bar per image of
 * its findings by severity. Labels are HTML beside the bars, so they stay readable when a bar
 * is squeezed to a phone's width; each segment has a <title> for a tooltip.
 */
import { SEVERITIES, type Severity } from '../scan/index.ts';
import type { CompareRow } from './row.ts';
import { formatSize } from './table.ts';

/** Escapes text for HTML content and attribute values. */
export const esc = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const LAYER_COLOURS = [
  '#2563eb',
  '#0d9488',
  '#7c3aed',
  '#ea580c',
  '#0891b2',
  '#65a30d',
  '#db2777',
  '#4b5563',
];
export const SEVERITY_COLOURS: Record<Severity, string> = {
  critical: '#7f1d1d',
  high: '#dc2626',
  medium: '#d97706',
  low: '#2563eb',
  info: '#6b7280',
};

const W = 1000;
/** Smallest visible segment (viewBox units), so a 100 kB layer beside an 80 MB one still shows. */
const MIN = 4;

interface Segment {
  readonly value: number;
  readonly colour: string;
  readonly title: string;
}

/** One bar: `segments` laid end to end, `scale` viewBox units per value. */
function bar(segments: readonly Segment[], scale: number, label: string): string {
  let x = 0;
  const rects = segments
    .filter((s) => s.value > 0)
    .map((s) => {
      const w = Math.max(MIN, s.value * scale);
      const r = `<rect x="${x.toFixed(2)}" y="0" width="${w.toFixed(2)}" height="24" fill="${s.colour}" stroke="#fff" stroke-width="1" vector-effect="non-scaling-stroke"><title>${esc(s.title)}</title></rect>`;
      x += w;
      return r;
    });
  return `<svg class="bar" viewBox="0 0 ${W} 24" preserveAspectRatio="none" role="img" aria-label="${esc(label)}">${rects.join('')}</svg>`;
}

const chartRow = (label: string, value: string, svg: string) =>
  `<div class="chart-row"><div class="chart-label"><span class="name">${esc(label)}</span> <span class="value">${esc(value)}</span></div>${svg}</div>`;

/** Stacked bars of each image's layers (uncompressed), on one scale. */
export function layerChart(rows: readonly CompareRow[]): string {
  const max = Math.max(1, ...rows.map((r) => r.uncompressedSize));
  const scale = (W - MIN * Math.max(1, ...rows.map((r) => r.layers.length))) / max;
  return rows
    .map((r) => {
      const segments = r.layers.map((l, i) => ({
        value: l.uncompressedSize,
        colour: LAYER_COLOURS[i % LAYER_COLOURS.length] as string,
        title: `layer ${i + 1}: ${formatSize(l.uncompressedSize)} (${formatSize(l.size)} stored)${l.createdBy ? ` — ${l.createdBy}` : ''}`,
      }));
      const value = `${formatSize(r.uncompressedSize)} in ${r.layers.length} layer${r.layers.length === 1 ? '' : 's'}`;
      return chartRow(r.name, value, bar(segments, scale, `${r.name}: ${value}`));
    })
    .join('\n');
}

/** Stacked bars of each image's findings by severity, on one scale; a note when no audit ran. */
export function findingsChart(rows: readonly CompareRow[]): string {
  if (!rows.some((r) => r.findings))
    return '<p class="note">No audit ran, so there are no findings to chart.</p>';
  const total = (r: CompareRow) => SEVERITIES.reduce((a, s) => a + (r.findings?.[s] ?? 0), 0);
  const scale = (W - MIN * SEVERITIES.length) / Math.max(1, ...rows.map(total));
  const legend = SEVERITIES.map(
    (s) =>
      `<span class="key"><span class="swatch" style="background:${SEVERITY_COLOURS[s]}"></span>${s}</span>`,
  ).join(' ');
  const bars = rows.map((r) => {
    const segments = SEVERITIES.map((s) => ({
      value: r.findings?.[s] ?? 0,
      colour: SEVERITY_COLOURS[s],
      title: `${r.findings?.[s] ?? 0} ${s}`,
    }));
    const n = total(r);
    const value = r.findings
      ? `${n} finding${n === 1 ? '' : 's'}${
          n
            ? ` (${SEVERITIES.filter((s) => r.findings?.[s])
                .map((s) => `${r.findings?.[s]} ${s}`)
                .join(', ')})`
            : ''
        }`
      : 'not audited';
    return chartRow(r.name, value, bar(segments, scale, `${r.name}: ${value}`));
  });
  return `<p class="legend">${legend}</p>\n${bars.join('\n')}`;
}
