/**
 * Matching an image's Debian packages against the tracker, as trivy does for Debian: by source
 * package name and source version (the `Source:` field, else the binary's own), in the image's
 * release (os-release VERSION_CODENAME, else VERSION_ID mapped to its codename), with Debian
 * version ordering. Per issue in that release:
 * - `resolved` with fixed_version `0`: never affected; with a fixed version above the installed
 *   one: affected, fixed in that version; otherwise fixed here.
 * - `open`: affected, no fix in the release yet.
 * - `undetermined`: listed as undetermined (the tracker does not know yet).
 * Urgency → severity: high → high, medium → medium, low → low, unimportant and end-of-life → info,
 * `not yet assigned` (or anything else) → medium, so a gate on medium does not pass an unrated CVE.
 */
import { compareVersions } from '../debian/index.ts';
import { type Inventory, SEVERITIES, type Severity } from '../scan/index.ts';
import type { PackageVuln, PackageVulns, TrackerRelease, VulnDb, VulnReport } from './types.ts';

const CODENAMES: Record<string, string> = {
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
  '15': 'duke',
};

/** The tracker's release name for the image's distro, or undefined. */
export function releaseOf(distro: Inventory['distro']): string | undefined {
  if (distro.id !== 'debian') return undefined;
  if (distro.versionCodename) return distro.versionCodename;
  const major = distro.versionId?.split('.')[0];
  return major ? CODENAMES[major] : undefined;
}

export function urgencySeverity(urgency: string | undefined): Severity {
  const u = (urgency ?? '').replace(/\*+$/, '').trim();
  if (u === 'high') return 'high';
  if (u === 'low') return 'low';
  if (u === 'unimportant' || u === 'end-of-life') return 'info';
  return 'medium';
}

function judge(
  id: string,
  r: TrackerRelease,
  installed: string,
  description?: string,
): PackageVuln | undefined {
  const base = {
    id,
    severity: urgencySeverity(r.urgency),
    ...(r.urgency ? { urgency: r.urgency } : {}),
    ...(description ? { description } : {}),
  };
  if (r.status === 'resolved') {
    const fixed = r.fixed_version;
    if (!fixed || fixed === '0') return undefined;
    let older: boolean;
    try {
      older = compareVersions(installed, fixed) < 0;
    } catch {
      return undefined;
    }
    return older ? { ...base, state: 'fixed', fixedVersion: fixed } : undefined;
  }
  if (r.status === 'open') return { ...base, state: 'open' };
  if (r.status === 'undetermined') return { ...base, state: 'undetermined', severity: 'info' };
  return undefined;
}

export function matchVulns(inv: Inventory, db: VulnDb): VulnReport {
  const release = releaseOf(inv.distro);
  const debs = inv.packages.filter((p) => p.ecosystem === 'deb');
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  if (!release) {
    const packages = debs.map(
      (p): PackageVulns => ({
        name: p.name,
        version: p.version,
        source: p.source?.name ?? p.name,
        sourceVersion: p.source?.version ?? p.version,
        status: 'no-data',
        vulns: [],
      }),
    );
    return {
      packages,
      counts,
      total: 0,
      noData: packages.length,
      note:
        inv.distro.id === 'debian'
          ? 'the image does not say which Debian release it is'
          : 'not a Debian image: no Debian package data applies',
    };
  }
  const seen = new Map<string, Severity>();
  const packages = debs.map((p): PackageVulns => {
    const source = p.source?.name ?? p.name;
    const sourceVersion = p.source?.version ?? p.version;
    const issues = db.issues(source);
    const row = { name: p.name, version: p.version, source, sourceVersion };
    if (!issues) return { ...row, status: 'no-data', vulns: [] };
    let known = false;
    const vulns: PackageVuln[] = [];
    for (const [id, issue] of Object.entries(issues)) {
      const r = issue.releases[release];
      if (!r) continue;
      known = true;
      const v = judge(id, r, sourceVersion, issue.description);
      if (v) vulns.push(v);
    }
    vulns.sort(
      (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || (a.id < b.id ? -1 : 1),
    );
    for (const v of vulns) if (v.state !== 'undetermined') seen.set(v.id, v.severity);
    return { ...row, status: vulns.length ? 'affected' : known ? 'clean' : 'no-data', vulns };
  });
  for (const s of seen.values()) counts[s]++;
  return {
    release,
    packages,
    counts,
    total: seen.size,
    noData: packages.filter((p) => p.status === 'no-data').length,
  };
}
