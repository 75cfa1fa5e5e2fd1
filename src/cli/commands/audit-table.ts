/** The human form of `distill audit`: per image a header, a table of findings, fixes, and CVEs. */
import type { AuditReport } from '../../audit/index.ts';
import { SEVERITIES } from '../../scan/index.ts';
import { columns } from '../table.ts';

const MAX_CVES = 20;

export function auditTable(reports: readonly AuditReport[], rules: Record<string, string>): string[] {
  const out: string[] = [];
  for (const r of reports) {
    if (out.length) out.push('');
    const u = r.user;
    out.push(`${r.reference ?? r.digest}  ${r.platform}  ${r.digest}`);
    out.push(
      `  user ${u.raw === '' ? '(unset)' : u.raw}${u.uid !== undefined ? ` → uid ${u.uid}` : ''}${u.root ? ' (root)' : ''}${r.debug ? '  debug image' : ''}`,
    );
    if (r.findings.length === 0) out.push('  no findings');
    else {
      const rows = [['SEVERITY', 'ID', 'LAYER', 'PATH', 'FINDING']];
      for (const f of r.findings)
        rows.push([
          f.expected ? `${f.severity}*` : f.severity,
          f.id,
          f.layer === undefined ? '-' : String(f.layer),
          f.path ?? '-',
          f.title,
        ]);
      out.push(...columns(rows).map((l) => `  ${l}`));
      if (r.findings.some((f) => f.expected))
        out.push('  * expected for this image (not counted, never fails a gate)');
      const fixes = new Map(r.findings.map((f) => [f.id, f.hint]));
      out.push('  fixes:');
      for (const [id, hint] of [...fixes].sort()) out.push(`    ${id} (${rules[id] ?? id}): ${hint}`);
    }
    out.push(
      `  counts: ${SEVERITIES.map((s) => `${r.counts[s]} ${s}`).join(', ')}; ${r.wastedBytes} bytes hidden by later layers`,
    );
    if (r.vulns) out.push(...vulnLines(r));
  }
  return out;
}

function vulnLines(r: AuditReport): string[] {
  const v = r.vulns;
  if (!v) return [];
  const out: string[] = [];
  if (v.note) out.push(`  vulnerabilities: no data (${v.note})`);
  else
    out.push(
      `  vulnerabilities (Debian ${v.release}): ${v.total} issues (${SEVERITIES.map((s) => `${v.counts[s]} ${s}`).join(', ')}); ${v.noData} of ${v.packages.length} packages without tracker data`,
    );
  const rows = [['PACKAGE', 'VERSION', 'SOURCE', 'ISSUE', 'SEVERITY', 'FIXED IN']];
  let shown = 0;
  for (const p of v.packages)
    for (const c of p.vulns)
      if (shown++ < MAX_CVES)
        rows.push([
          p.name,
          p.version,
          p.source,
          c.id,
          c.severity,
          c.fixedVersion ?? (c.state === 'open' ? '(no fix yet)' : c.state),
        ]);
  if (rows.length > 1) out.push(...columns(rows).map((l) => `    ${l}`));
  if (shown > MAX_CVES) out.push(`    … ${shown - MAX_CVES} more (--json lists all)`);
  const noData = v.packages.filter((p) => p.status === 'no-data').map((p) => p.name);
  if (noData.length && !v.note)
    out.push(`    no data: ${noData.slice(0, 12).join(', ')}${noData.length > 12 ? ', …' : ''}`);
  return out;
}
