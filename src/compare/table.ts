/**
 * The comparison as the seed's tables have it: one line per feature, one column per image. The
 * text, Markdown and HTML renderers all print this model, so they always say the same thing.
 */
import { SEVERITIES } from '../scan/index.ts';
import type { CompareRow } from './row.ts';

export interface TableLine {
  readonly label: string;
  readonly cells: readonly string[];
}

/** `1.9 MB` (SI units, as registries and the seed print sizes). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

const cveCell = (c: CompareRow['cves']) =>
  !c || c.note
    ? `no data${c?.note ? ` (${c.note})` : ''}`
    : `${c.total}${c.noData ? ` (${c.noData} package${c.noData === 1 ? '' : 's'} without data)` : ''}`;

const list = (xs: readonly string[]) => (xs.length ? `yes (${xs.join(', ')})` : 'no');

/** The table's lines for these columns. CVEs and findings only when some column has them. */
export function tableLines(rows: readonly CompareRow[]): TableLine[] {
  const line = (label: string, cell: (r: CompareRow) => string): TableLine => ({
    label,
    cells: rows.map(cell),
  });
  const lines = [
    line('Platform', (r) => r.platform),
    line('Distro', (r) => r.distro ?? 'unknown'),
    line('Compressed size', (r) =>
      r.layersCompressed
        ? formatSize(r.compressedSize)
        : `${formatSize(r.compressedSize)} (stored uncompressed)`,
    ),
    line('Uncompressed size', (r) => formatSize(r.uncompressedSize)),
    line('Layers', (r) => String(r.layers.length)),
    line('Shell', (r) => list(r.shells)),
    line('Package manager', (r) => list(r.packageManagers)),
    line('libc', (r) => (r.libcVersion ? `${r.libc} ${r.libcVersion}` : r.libc)),
    line('Runtimes', (r) =>
      r.runtimes.length
        ? r.runtimes.map((x) => (x.version ? `${x.name} ${x.version}` : x.name)).join(', ')
        : 'none',
    ),
    line('Packages', (r) => String(r.packages)),
    line('setuid/setgid files', (r) => String(r.setuid.length)),
    line('Default user', (r) => r.user.display),
  ];
  if (rows.some((r) => r.cves !== undefined)) lines.push(line('CVEs', (r) => cveCell(r.cves)));
  if (rows.some((r) => r.findings))
    lines.push(
      line('Findings (C/H/M/L/I)', (r) =>
        r.findings ? SEVERITIES.map((s) => r.findings?.[s] ?? 0).join('/') : 'n/a',
      ),
    );
  return lines;
}
