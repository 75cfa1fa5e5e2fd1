/**
 * Debian's security tracker JSON export (https://security-tracker.debian.org/tracker/data/json):
 * source package → CVE (or TEMP-…/DSA id) → per release codename: status, fixed version, urgency.
 */
import type { Severity } from '../scan/index.ts';

export interface TrackerRelease {
  readonly status: 'open' | 'resolved' | 'undetermined' | (string & {});
  /** `0` means the release was never affected; absent while open. */
  readonly fixed_version?: string;
  /** `low`, `medium`, `high`, `unimportant`, `not yet assigned`, `end-of-life` (may end in `*`). */
  readonly urgency?: string;
  readonly repositories?: Readonly<Record<string, string>>;
  readonly nodsa?: string;
}

export interface TrackerIssue {
  readonly description?: string;
  readonly scope?: string;
  readonly debianbug?: number;
  readonly releases: Readonly<Record<string, TrackerRelease>>;
}

/** The export, indexed: a source's issues are read when asked for (see parse.ts). */
export interface VulnDb {
  /** Source packages the export lists. */
  readonly sources: number;
  /** The issues of one source package, or undefined when the tracker does not list it. */
  issues(source: string): Readonly<Record<string, TrackerIssue>> | undefined;
}

/** One issue that affects an installed package. */
export interface PackageVuln {
  readonly id: string;
  /** `open` (no fix in the release yet), `fixed` (a newer version fixes it), `undetermined`. */
  readonly state: 'open' | 'fixed' | 'undetermined';
  readonly severity: Severity;
  readonly urgency?: string;
  readonly fixedVersion?: string;
  readonly description?: string;
}

export interface PackageVulns {
  /** The binary package (`libc6`). */
  readonly name: string;
  readonly version: string;
  /** The source package the tracker knows it by, and its version. */
  readonly source: string;
  readonly sourceVersion: string;
  /**
   * `affected`: at least one issue; `clean`: the tracker has data for this source in this release
   * and nothing applies; `no-data`: the tracker does not list the source, or lists it with no entry
   * for this release — unknown, not clean.
   */
  readonly status: 'affected' | 'clean' | 'no-data';
  readonly vulns: readonly PackageVuln[];
}

export interface VulnReport {
  /** The release codename matched against (`trixie`), or undefined when the image's is unknown. */
  readonly release?: string;
  readonly packages: readonly PackageVulns[];
  /** Distinct issues per severity across packages (an issue in two binaries of one source counts once). */
  readonly counts: Readonly<Record<Severity, number>>;
  /** Distinct affecting issue ids. */
  readonly total: number;
  /** Packages without data (see PackageVulns.status). */
  readonly noData: number;
  /** Why nothing could be matched at all (not Debian, unknown release). */
  readonly note?: string;
}
