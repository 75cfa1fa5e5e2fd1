/**
 * What distill reads out of any image without running it (the seed's security model, issue 11):
 * the final file tree after every layer and whiteout, the bytes of the few files that matter,
 * the packages it holds, and the findings an audit makes of them. These types are the contract
 * between the scanner (scan.ts), the inventory, the audit, the SBOM writers, the vulnerability
 * matcher and `distill compare`.
 */

/** One path in the image's final tree. */
export interface FileEntry {
  /** Absolute, normalised: `/usr/bin/sh`. The root is `/`. */
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  /** Permission bits including setuid/setgid/sticky (`mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes of a regular file (0 for everything else). */
  readonly size: number;
  /** A symlink's target, or a hardlink's absolute target path. */
  readonly linkname?: string;
  /** Index (0-based, bottom first) of the layer that last wrote this path. */
  readonly layer: number;
}

/** A file a later layer replaced or deleted: bytes shipped but never seen (dive's "wasted"). */
export interface HiddenFile {
  readonly path: string;
  readonly size: number;
  /** The layer that held it. */
  readonly layer: number;
  /** The layer whose entry or whiteout hid it. */
  readonly hiddenBy: number;
}

export interface LayerSummary {
  readonly digest: string;
  readonly diffId: string;
  /** Bytes as stored (compressed). */
  readonly size: number;
  /** Bytes of the uncompressed tar (counted while scanning). */
  readonly uncompressedSize: number;
  /** Entries in the tar, whiteouts included. */
  readonly entries: number;
}

/** The scan of one image (one platform). */
export interface ImageFiles {
  /** The final tree, by path. */
  readonly files: ReadonlyMap<string, FileEntry>;
  /** The final bytes of every file the caller's `want` picked (symlinks not followed), or what its reducer made of them. */
  readonly contents: ReadonlyMap<string, Buffer>;
  readonly hidden: readonly HiddenFile[];
  readonly layers: readonly LayerSummary[];
}

/** Where a package record was found. */
export type Ecosystem = 'deb' | 'apk' | 'npm' | 'pypi' | 'maven' | 'generic';

/** One package the image holds, as syft would list it. */
export interface PackageRecord {
  readonly ecosystem: Ecosystem;
  readonly name: string;
  readonly version: string;
  /** Debian/apk architecture (`amd64`, `all`, `x86_64`). */
  readonly arch?: string;
  /** The source package, when it differs in name or version (Debian `Source:`). */
  readonly source?: { readonly name: string; readonly version: string };
  /** Licence expressions or names, when the image says them in a machine-readable form. */
  readonly licenses: readonly string[];
  /** The package URL, as syft writes it (`pkg:deb/debian/libc6@2.41-12?arch=amd64&distro=debian-13`). */
  readonly purl: string;
  /** CPE 2.3 names scanners match on, when the purl alone is not enough (npm-built node). */
  readonly cpes?: readonly string[];
  /** Paths that declare the package (status file, package.json, METADATA, jar). */
  readonly locations: readonly string[];
  /** Files the package owns, when its record lists them (dpkg md5sums / .list, RECORD). */
  readonly files?: readonly string[];
  /** Debian `Maintainer`, npm `author`, … when known. */
  readonly supplier?: string;
}

/** What the image is, as far as its files say. */
export interface Distro {
  /** os-release ID (`debian`, `alpine`), or undefined when there is none. */
  readonly id?: string;
  /** os-release VERSION_ID (`13`). */
  readonly versionId?: string;
  /** os-release VERSION_CODENAME (`trixie`): what Debian's security tracker keys releases by. */
  readonly versionCodename?: string;
  readonly prettyName?: string;
}

export interface Inventory {
  readonly distro: Distro;
  readonly packages: readonly PackageRecord[];
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** One thing an audit found. `id` is stable (`DL-SHELL`, …) so CI can allow-list it. */
export interface Finding {
  readonly id: string;
  readonly severity: Severity;
  /** One line, for people. */
  readonly title: string;
  /** The path it is about, when it is about one. */
  readonly path?: string;
  /** The layer that put it there. */
  readonly layer?: number;
  /** What to do about it. */
  readonly hint: string;
  /** Expected for this image (a `:debug` image's busybox shell): shown, never failed on. */
  readonly expected?: boolean;
}
