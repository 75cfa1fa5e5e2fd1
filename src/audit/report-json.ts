/** The `--json` form of an audit: what CI reads. Package lists stay in `distill sbom`. */
import { SEVERITIES, type Severity } from '../scan/index.ts';
import type { AuditReport } from './types.ts';

export function auditJson(r: AuditReport): Record<string, unknown> {
  return {
    image: r.reference ?? r.digest,
    digest: r.digest,
    platform: r.platform,
    user: r.user,
    debug: r.debug,
    counts: r.counts,
    wastedBytes: r.wastedBytes,
    packages: r.inventory.packages.length,
    findings: r.findings,
    ...(r.vulns ? { vulnerabilities: r.vulns } : {}),
  };
}

/** Whether `r` fails `--fail-on threshold`: a finding (not expected) or a CVE at or above it. */
export function failsAt(r: AuditReport, threshold: Severity): boolean {
  const at = (s: Severity) => SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(threshold);
  if (r.findings.some((f) => !f.expected && at(f.severity))) return true;
  return Boolean(
    r.vulns?.packages.some((p) => p.vulns.some((v) => v.state !== 'undetermined' && at(v.severity))),
  );
}

/** `--policy seed`: the seed's securityContext (runAsNonRoot, readOnlyRootFilesystem) would fail. */
export function seedPolicyViolations(r: AuditReport): string[] {
  const out: string[] = [];
  if (r.user.root)
    out.push(
      r.user.how === 'unset'
        ? 'no default user (runs as root; runAsNonRoot fails)'
        : `default user ${r.user.raw} is uid 0`,
    );
  else if (r.user.uid === undefined) out.push(`default user ${r.user.raw} cannot be resolved to a uid`);
  for (const f of r.findings)
    if (f.id === 'DL-WRITABLE-UNDECLARED')
      out.push(`${f.path} is written outside the declared writable dirs (readOnlyRootFilesystem)`);
  return out;
}
