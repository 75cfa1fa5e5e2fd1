/**
 * Fetching a release's indexes along the trust chain: InRelease (signature checked against
 * the shipped keys) → Release SHA256 list → Packages.xz/.gz (by-hash where offered, hash and
 * size checked, then the decompressed text checked too) → parsed entries. Decompressed indexes
 * are kept in the content-addressed cache under the SHA256 the signed Release gives for them,
 * so a warm run fetches only the small InRelease files.
 */

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Cache } from '../../platform/index.ts';
import { revalidating } from '../../platform/index.ts';
import { DebianError } from '../errors.ts';
import type { ReleaseSpec } from '../types.ts';
import { decompress, type IndexCompression, type SpawnFn } from './decompress.ts';
import { type FetchFn, getBytes, getChecked, type RetryOptions } from './http.ts';
import { verifyInReleaseRemembered } from './inrelease-memo.ts';
import type { Keyring } from './keys.ts';
import { type PackageEntry, parsePackagesIndex } from './packages-index.ts';
import { checkRelease, parseRelease, type Release } from './release.ts';

/** Progress and provenance events (libraries never print). */
export type ArchiveEvent =
  | {
      type: 'release-verified';
      mirror: string;
      suite: string;
      signers: readonly string[];
      /** sha256 of the InRelease bytes verified. */
      sha256: string;
    }
  | { type: 'index-cached'; mirror: string; suite: string; path: string; sha256: string }
  | { type: 'index-fetching'; mirror: string; suite: string; path: string; size: number }
  | { type: 'index-fetched'; mirror: string; suite: string; url: string; bytes: number };

/** The effects and trust material the archive reader needs. */
export interface ArchiveOptions {
  readonly fetch: FetchFn;
  readonly keyring: Keyring;
  /** Where decompressed indexes are kept by hash; without one every run downloads them. */
  readonly cache?: Cache;
  /** The clock, for Valid-Until (default: the system clock). */
  readonly now?: () => Date;
  readonly spawn?: SpawnFn;
  readonly retry?: RetryOptions;
  readonly onEvent?: (event: ArchiveEvent) => void;
}

/** One suite's verified Release and its packages. */
export interface SuiteIndex {
  readonly mirror: string;
  readonly suite: string;
  readonly release: Release;
  readonly signers: readonly string[];
  readonly packages: readonly PackageEntry[];
}

const sha256hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** The exact signed file a suite was verified from: what a lock and a provenance name it by. */
export interface SignedFile {
  /** The file under `dists/<suite>/`; distill reads only InRelease (never Release + Release.gpg). */
  readonly file: 'InRelease';
  /** Lower-case hex sha256 of the file's bytes as fetched (signature and all). */
  readonly sha256: string;
  readonly size: number;
}

/** Fetches and verifies `dists/<suite>/InRelease`. */
export async function fetchRelease(
  mirror: string,
  suite: string,
  options: ArchiveOptions,
): Promise<{ release: Release; signers: readonly string[]; inRelease: SignedFile }> {
  const url = `${mirror}/dists/${suite}/InRelease`;
  // Asked every time, as apt does, but conditionally: an unchanged InRelease is a bodiless 304.
  // The HTTP cache keeps a new one only once it is verified.
  const fetch = options.cache ? revalidating(options.fetch, { cache: options.cache }) : options.fetch;
  const now = options.now?.();
  const { release, verified, inRelease } = await getChecked(
    fetch,
    url,
    async (bytes) => {
      const verified = await verifyInReleaseRemembered(bytes, options.keyring, url, {
        ...(options.cache ? { cache: options.cache } : {}),
        ...(now ? { now } : {}),
      });
      const release = parseRelease(verified.text, url);
      checkRelease(release, suite, now ?? new Date(), url);
      const inRelease: SignedFile = { file: 'InRelease', sha256: sha256hex(bytes), size: bytes.length };
      return { release, verified, inRelease };
    },
    options.retry,
  );
  options.onEvent?.({
    type: 'release-verified',
    mirror,
    suite,
    signers: verified.signers,
    sha256: inRelease.sha256,
  });
  return { release, signers: verified.signers, inRelease };
}

/** Loads one component's Packages index for `arch`, verified against the signed Release. */
export async function fetchPackages(
  mirror: string,
  suite: string,
  component: string,
  arch: string,
  release: Release,
  options: ArchiveOptions,
): Promise<PackageEntry[]> {
  const path = `${component}/binary-${arch}/Packages`;
  const source = `${mirror}/dists/${suite}/${path}`;
  const text = await readIndex(mirror, suite, path, release, options);
  return parsePackagesIndex(text, { mirror, suite, component }, source);
}

async function readIndex(
  mirror: string,
  suite: string,
  path: string,
  release: Release,
  options: ArchiveOptions,
): Promise<Uint8Array> {
  const plain = release.sha256.get(path);
  if (plain && options.cache) {
    // Read the blob once and check it against the signed hash ourselves: the same guarantee as
    // cache.get() (which would hash it and then have us read it a second time).
    const data = await readFile(options.cache.path(`sha256:${plain.sha256}`)).catch(() => undefined);
    if (data && data.length === plain.size && sha256hex(data) === plain.sha256) {
      options.onEvent?.({ type: 'index-cached', mirror, suite, path, sha256: plain.sha256 });
      return data;
    }
  }
  const kinds = (['xz', 'gz'] as IndexCompression[]).filter((k) => release.sha256.has(`${path}.${k}`));
  if (kinds.length === 0 && !plain)
    throw new DebianError(
      'DEBIAN_INDEX_UNLISTED',
      `${mirror}/dists/${suite}: the signed Release lists no ${path}(.xz|.gz)`,
    );
  let lastMissing: unknown;
  for (const kind of kinds) {
    const listed = release.sha256.get(`${path}.${kind}`) as { sha256: string; size: number };
    let data: Uint8Array;
    options.onEvent?.({ type: 'index-fetching', mirror, suite, path: `${path}.${kind}`, size: listed.size });
    try {
      data = await fetchListed(
        mirror,
        suite,
        `${path}.${kind}`,
        listed.sha256,
        release.acquireByHash,
        options,
      );
    } catch (err) {
      // A listed file that is not there (a mirror mid-sync): try the next compression.
      if ((err as DebianError).code === 'DEBIAN_NOT_FOUND') {
        lastMissing = err;
        continue;
      }
      throw err;
    }
    const got = sha256hex(data);
    if (got !== listed.sha256 || data.length !== listed.size)
      throw new DebianError(
        'DEBIAN_INDEX_HASH_MISMATCH',
        `${mirror}/dists/${suite}/${path}.${kind}: sha256 ${got} (${data.length} bytes) but the signed Release says ${listed.sha256} (${listed.size} bytes)`,
      );
    const text = await decompress(data, kind, options.spawn);
    if (plain) {
      const got2 = sha256hex(text);
      if (got2 !== plain.sha256 || text.length !== plain.size)
        throw new DebianError(
          'DEBIAN_INDEX_HASH_MISMATCH',
          `${mirror}/dists/${suite}/${path}: decompressed sha256 ${got2} but the signed Release says ${plain.sha256}`,
        );
      await options.cache?.putBytes(text, { sha256: plain.sha256, size: plain.size });
    }
    return text;
  }
  if (plain) {
    const data = await fetchListed(mirror, suite, path, plain.sha256, release.acquireByHash, options);
    const got = sha256hex(data);
    if (got !== plain.sha256 || data.length !== plain.size)
      throw new DebianError(
        'DEBIAN_INDEX_HASH_MISMATCH',
        `${mirror}/dists/${suite}/${path}: sha256 ${got} but the signed Release says ${plain.sha256}`,
      );
    await options.cache?.putBytes(data, { sha256: plain.sha256, size: plain.size });
    return data;
  }
  throw lastMissing;
}

/** GETs a Release-listed file, by hash when the archive offers it (immune to mid-sync races). */
export async function fetchListed(
  mirror: string,
  suite: string,
  path: string,
  sha256: string,
  byHash: boolean,
  options: ArchiveOptions,
): Promise<Uint8Array> {
  const dir = path.slice(0, path.lastIndexOf('/'));
  const urls = [
    ...(byHash ? [`${mirror}/dists/${suite}/${dir}/by-hash/SHA256/${sha256}`] : []),
    `${mirror}/dists/${suite}/${path}`,
  ];
  let last: unknown;
  for (const url of urls) {
    try {
      const data = await getBytes(options.fetch, url, options.retry);
      options.onEvent?.({ type: 'index-fetched', mirror, suite, url, bytes: data.length });
      return data;
    } catch (err) {
      if ((err as DebianError).code !== 'DEBIAN_NOT_FOUND') throw err;
      last = err;
    }
  }
  throw last;
}

/** A suite whose InRelease has been verified. */
export interface VerifiedSuite {
  readonly mirror: string;
  readonly suite: string;
  readonly components: readonly string[];
  readonly release: Release;
  readonly signers: readonly string[];
  /** The InRelease file the suite was verified from (its digest). */
  readonly inRelease: SignedFile;
}

/** Fetches and verifies the InRelease of every suite of a release, in the spec's order. */
export async function fetchReleases(spec: ReleaseSpec, options: ArchiveOptions): Promise<VerifiedSuite[]> {
  const jobs = spec.sources.flatMap((source) =>
    source.suites.map(async (suite) => {
      const { release, signers, inRelease } = await fetchRelease(source.mirror, suite, options);
      return { mirror: source.mirror, suite, components: source.components, release, signers, inRelease };
    }),
  );
  return Promise.all(jobs);
}

/**
 * The signed identity of a suite's Packages index for one component and arch: the SHA256 the
 * Release gives for the uncompressed file (or, failing that, a compressed one).
 */
export function indexIdentity(v: VerifiedSuite, component: string, arch: string): string {
  const path = `${component}/binary-${arch}/Packages`;
  const listed =
    v.release.sha256.get(path) ?? v.release.sha256.get(`${path}.xz`) ?? v.release.sha256.get(`${path}.gz`);
  if (!listed)
    throw new DebianError(
      'DEBIAN_INDEX_UNLISTED',
      `${v.mirror}/dists/${v.suite}: the signed Release lists no ${path}(.xz|.gz)`,
    );
  return listed.sha256;
}

/** Loads a verified suite's packages for `arch` (all its components). */
export async function loadSuitePackages(
  v: VerifiedSuite,
  arch: string,
  options: ArchiveOptions,
): Promise<SuiteIndex> {
  const parts = await Promise.all(
    v.components.map((c) => fetchPackages(v.mirror, v.suite, c, arch, v.release, options)),
  );
  return { mirror: v.mirror, suite: v.suite, release: v.release, signers: v.signers, packages: parts.flat() };
}

/** Loads every suite of a release for one architecture, verified end to end. */
export async function loadReleaseIndexes(
  spec: ReleaseSpec,
  arch: string,
  options: ArchiveOptions,
): Promise<SuiteIndex[]> {
  const suites = await fetchReleases(spec, options);
  return Promise.all(suites.map((v) => loadSuitePackages(v, arch, options)));
}
