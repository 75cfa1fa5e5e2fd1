/**
 * The boundary types of the Debian engine: what the archive side (mirrors, signed indexes,
 * resolver) hands to the package side (downloads, .deb reader, status.d writer).
 * Type-only; no runtime code.
 */

/** Debian releases distill builds from. */
export type DebianRelease = 12 | 13;

/** Debian architecture names distill supports (dpkg spelling); armhf is OCI arm/v7, ppc64el is ppc64le. */
export type DebianArch = 'amd64' | 'arm64' | 'armhf' | 's390x' | 'ppc64el' | 'riscv64';

/** One archive a release is fetched from, e.g. the main archive or the security archive. */
export interface ArchiveSource {
  /** Base URL of the archive, no trailing slash (the directory holding `dists/` and `pool/`). */
  readonly mirror: string;
  /** Suites read from this archive, e.g. ['trixie', 'trixie-updates']. */
  readonly suites: readonly string[];
  /** Components read, e.g. ['main']. */
  readonly components: readonly string[];
}

/** Where a release comes from: debian13 = trixie + trixie-updates + trixie-security, etc. */
export interface ReleaseSpec {
  readonly debian: DebianRelease;
  /** Codename, e.g. 'trixie' or 'bookworm'. */
  readonly codename: string;
  /** All suites of the release, in priority order (the base suite first). */
  readonly suites: readonly string[];
  /** The archives serving those suites (main archive and security archive). */
  readonly sources: readonly ArchiveSource[];
}

/** One package chosen by the resolver: everything needed to download, verify and record it. */
export interface ResolvedPackage {
  /** Package name (the `Package:` field). */
  readonly name: string;
  /** Full Debian version, with epoch when there is one (the `Version:` field). */
  readonly version: string;
  /** `Architecture:` field: the build arch or 'all'. */
  readonly architecture: string;
  /** Archive path relative to `mirror`, e.g. 'pool/main/g/glibc/libc6_2.41-12_amd64.deb'. */
  readonly filename: string;
  /** Lower-case hex SHA256 of the .deb, from the signed Packages index. */
  readonly sha256: string;
  /** Size of the .deb in bytes, from the signed Packages index. */
  readonly size: number;
  /** Suite it was taken from, e.g. 'trixie-security'. */
  readonly suite: string;
  /** Component, e.g. 'main'. */
  readonly component: string;
  /** Base URL of the archive serving `filename` (no trailing slash). */
  readonly mirror: string;
  /**
   * The package's paragraph from the Packages index, verbatim (no trailing blank line); '' when
   * the package comes from distill.lock (the .deb's own control file is the record then).
   */
  readonly stanza: string;
  /**
   * Why it is in the set: the chain from a requested package, e.g. ['python3.13-minimal',
   * 'libpython3.13-minimal', 'libssl3t64']; a requested package's chain is just its own name.
   */
  readonly reason: readonly string[];
}
