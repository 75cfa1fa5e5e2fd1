/**
 * The comparison for a terminal (aligned columns, no escape sequence from an image reaches it)
 * and as a GitHub-flavoured Markdown table.
 */
import { stripControls } from '../platform/index.ts';
import type { CompareRow } from './row.ts';
import { tableLines } from './table.ts';

/** Aligned plain text: feature names down the left, one column per image. */
export function compareText(rows: readonly CompareRow[]): string {
  const clean = (s: string) => stripControls(s).replace(/\s+/g, ' ');
  const grid = [
    ['', ...rows.map((r) => clean(r.name))],
    ...tableLines(rows).map((l) => [l.label, ...l.cells.map(clean)]),
  ];
  const widths = grid[0]?.map((_, c) => Math.max(...grid.map((g) => [...(g[c] ?? '')].length))) ?? [];
  const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - [...s].length));
  const text = grid.map((g) =>
    g
      .map((cell, c) => pad(cell, widths[c] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  return `${text.join('\n')}\n`;
}

/** `|` and line breaks would end a cell; `<` would start HTML in most renderers. */
const md = (s: string) =>
  stripControls(s)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\s+/g, ' ');

/** A Markdown table with the same lines as the text. */
export function compareMarkdown(rows: readonly CompareRow[]): string {
  const head = `| Feature | ${rows.map((r) => md(r.name)).join(' | ')} |`;
  const rule = `|---|${rows.map(() => '---').join('|')}|`;
  const body = tableLines(rows).map((l) => `| ${md(l.label)} | ${l.cells.map(md).join(' | ')} |`);
  return `${[head, rule, ...body].join('\n')}\n`;
}
