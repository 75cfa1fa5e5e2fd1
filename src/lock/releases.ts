/**
 * The signed Debian indexes a lock was resolved against: per suite, the sha256 of the InRelease
 * file distill fetched and verified (signature, suite name, Valid-Until, then every Packages hash
 * from it), with the suite's codename and the Date / Valid-Until exactly as the Release states
 * them. A provenance names these as the build's Debian inputs. Mirrors are not recorded; a
 * suite is named by its archive ('main' or 'security') and its `dists/` name. Locks written
 * before this field existed have no `releases`: they still read and build, and a provenance
 * made from them says the index digests are unknown.
 */
import type { VerifiedSuite } from '../debian/index.ts';
import { LockError } from './errors.ts';

/** One suite's verified InRelease, as the lock records it. */
export interface LockedRelease {
  /** Which archive serves the suite: the main archive or the security archive. */
  readonly archive: 'main' | 'security';
  /** The suite as asked for (`dists/<suite>/`), e.g. 'trixie-security'. */
  readonly suite: string;
  /** The Release's `Codename:`, e.g. 'trixie-security'. */
  readonly codename: string;
  /** The components read from it, sorted. */
  readonly components: readonly string[];
  /** The file verified under `dists/<suite>/`. */
  readonly file: 'InRelease';
  /** Lower-case hex sha256 of that file's bytes. */
  readonly sha256: string;
  readonly size: number;
  /** The Release's `Date:`, verbatim (absent when it has none). */
  readonly date?: string;
  /** The Release's `Valid-Until:`, verbatim (absent when it has none). */
  readonly validUntil?: string;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The verified suites as lock entries, sorted by archive then suite (so the same archive state
 * gives the same bytes whatever order the fetches finished in), one entry per suite.
 */
export function lockedReleases(
  verified: readonly VerifiedSuite[],
  securityMirror: string | undefined,
): LockedRelease[] {
  const out = new Map<string, LockedRelease>();
  for (const v of verified) {
    const archive = v.mirror === securityMirror || v.suite.endsWith('-security') ? 'security' : 'main';
    const date = v.release.fields.get('Date');
    const validUntil = v.release.fields.get('Valid-Until');
    // Fixed key order: this is the order the file shows.
    const entry: LockedRelease = {
      archive,
      suite: v.suite,
      codename: v.release.codename,
      components: [...new Set(v.components)].sort(byString),
      file: v.inRelease.file,
      sha256: v.inRelease.sha256,
      size: v.inRelease.size,
      ...(date ? { date } : {}),
      ...(validUntil ? { validUntil } : {}),
    };
    const key = `${archive}/${v.suite}`;
    const seen = out.get(key);
    if (seen && seen.sha256 !== entry.sha256)
      throw new LockError(
        'LOCK_RELEASE_CHANGED',
        `dists/${v.suite}/InRelease changed while resolving (sha256 ${seen.sha256} then ${entry.sha256}): the mirror was mid-sync; run again`,
      );
    // Two verifications of the same file (one per architecture) may differ only in components read.
    out.set(
      key,
      seen
        ? { ...entry, components: [...new Set([...seen.components, ...entry.components])].sort(byString) }
        : entry,
    );
  }
  return [...out.entries()].sort(([a], [b]) => byString(a, b)).map(([, e]) => e);
}

/** Checks a lock's `releases` (when present); returns what is wrong, or undefined. */
export function releasesProblem(releases: unknown): string | undefined {
  if (releases === undefined) return undefined;
  if (!Array.isArray(releases)) return 'releases is not a list';
  for (const r of releases as Partial<LockedRelease>[]) {
    if (
      (r?.archive !== 'main' && r?.archive !== 'security') ||
      typeof r.suite !== 'string' ||
      !/^[A-Za-z0-9._-]+$/.test(r.suite) ||
      typeof r.codename !== 'string' ||
      !Array.isArray(r.components) ||
      r.file !== 'InRelease' ||
      !HEX64.test(r.sha256 ?? '') ||
      !Number.isSafeInteger(r.size) ||
      (r.date !== undefined && typeof r.date !== 'string') ||
      (r.validUntil !== undefined && typeof r.validUntil !== 'string')
    )
      return `malformed release entry ${JSON.stringify(r?.suite)}`;
  }
  return undefined;
}
