/**
 * Resolution against a live release: verify every suite's InRelease, then either reuse a
 * resolution cached under the signed identities of the indexes it was computed from, or load
 * the indexes, build the universe for one architecture and resolve. This is what
 * `distill packages resolve` and `distill lock` call.
 *
 * The cached resolution is keyed by everything that decides it (resolver version, default
 * exclusions, request, options, and each index's SHA256 from a Release verified in this run),
 * so a new signed index or any changed input misses the cache and resolves afresh.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../oci/index.ts';
import {
  type ArchiveOptions,
  fetchReleases,
  indexIdentity,
  loadSuitePackages,
  type VerifiedSuite,
} from '../archive/indexes.ts';
import type { ReleaseSpec } from '../types.ts';
import { DEFAULT_EXCLUSIONS } from './exclusions.ts';
import { type Resolution, type ResolveOptions, resolve, Universe } from './resolve.ts';

/** Bump when resolver behaviour changes, so cached resolutions from older code are not reused. */
export const RESOLVER_VERSION = 4;

/** The resolution plus where it came from. */
export interface ReleaseResolution extends Resolution {
  readonly arch: string;
  readonly release: ReleaseSpec;
  /** Per suite: the signed Release's date and the keys that signed it. */
  readonly suites: readonly {
    readonly suite: string;
    readonly mirror: string;
    readonly date: string | undefined;
    readonly signers: readonly string[];
  }[];
  /** The suites as verified in this run (their InRelease digests are what a lock records). */
  readonly verified: readonly VerifiedSuite[];
  /** True when the resolution came from the cache (the InRelease files were still verified). */
  readonly cached: boolean;
}

/** Options: the resolver's, the archive's, and whether to use the resolution cache (default yes). */
export type ReleaseResolveOptions = Omit<ResolveOptions, 'suites'> & {
  readonly archive: ArchiveOptions;
  readonly reuse?: boolean;
};

function cacheKey(
  suites: readonly VerifiedSuite[],
  requested: readonly string[],
  options: ReleaseResolveOptions,
): string {
  const material = {
    resolver: RESOLVER_VERSION,
    defaults: DEFAULT_EXCLUSIONS,
    arch: options.arch,
    requested,
    exclude: options.exclude ?? [],
    keep: options.keep ?? [],
    indexes: suites.flatMap((v) =>
      v.components.map((c) => ({
        mirror: v.mirror,
        suite: v.suite,
        component: c,
        sha256: indexIdentity(v, c, options.arch),
      })),
    ),
  };
  return `debian-resolution:v1:${createHash('sha256').update(canonicalJson(material)).digest('hex')}`;
}

/** Verifies the release's suites and resolves `requested` for `options.arch`. */
export async function resolveFromRelease(
  spec: ReleaseSpec,
  requested: readonly string[],
  options: ReleaseResolveOptions,
): Promise<ReleaseResolution> {
  const verified = await fetchReleases(spec, options.archive);
  const suites = verified.map((v) => ({
    suite: v.suite,
    mirror: v.mirror,
    date: v.release.date?.toISOString(),
    signers: v.signers,
  }));
  const cache = options.reuse === false ? undefined : options.archive.cache;
  const key = cache ? cacheKey(verified, requested, options) : undefined;
  if (cache && key) {
    const hit = await cache.getJson<Resolution>(key);
    if (hit && Array.isArray(hit.packages) && Array.isArray(hit.excluded) && Array.isArray(hit.warnings))
      return { ...hit, arch: options.arch, release: spec, suites, verified, cached: true };
  }
  const indexes = await Promise.all(verified.map((v) => loadSuitePackages(v, options.arch, options.archive)));
  const universe = new Universe(
    indexes.flatMap((i) => i.packages),
    options.arch,
    spec.suites,
  );
  const result = resolve(universe, requested, { ...options, suites: spec.suites });
  if (cache && key) await cache.putJson(key, result);
  return { ...result, arch: options.arch, release: spec, suites, verified, cached: false };
}
