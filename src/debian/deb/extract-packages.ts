/**
 * Packages → layer contents: downloads resolved packages into the cache and extracts each one as
 * soon as it lands (decompression overlaps the remaining downloads), then returns, per package, its
 * files as LayerEntry values plus its dpkg status.d files, ready for the deterministic layer writer.
 * A package whose extraction is already cached is not downloaded again (nor its .deb re-hashed).
 */
import { availableParallelism } from 'node:os';
import type { LayerEntry } from '../../oci/index.ts';
import type { Cache } from '../../platform/index.ts';
import { limiter } from '../../platform/index.ts';
import { type DownloadablePackage, type DownloadOptions, downloadPackages } from './download.ts';
import { DebError } from './errors.ts';
import { cachedExtraction, type ExtractedDeb, extractDeb, layerEntries } from './extract.ts';
import type { SpawnFn } from './reader.ts';
import { statusDEntries } from './status-d.ts';

/** One package's layer contents. */
export interface PackageContents<P extends DownloadablePackage = DownloadablePackage> {
  pkg: P;
  extracted: ExtractedDeb;
  /** The package's files (merged-/usr applied when asked for). */
  files: LayerEntry[];
  /** var/lib/dpkg/status.d/<pkg> and <pkg>.md5sums (with their parent directories). */
  statusD: LayerEntry[];
}

/** Extraction progress: a package's data.tar being decompressed, and done (its entry count). */
export type ExtractEvent =
  | { type: 'extract-start'; package: string; size: number }
  | { type: 'extracted'; package: string; entries: number };

/** Download options plus the merged-/usr switch (true for debian13). */
export interface PackageContentsOptions extends Omit<DownloadOptions, 'onDownloaded'> {
  cache: Cache;
  /** debian13: true. */
  mergedUsr: boolean;
  /** Packages decompressed at once (default: the number of CPUs). */
  extractConcurrency?: number;
  spawn?: SpawnFn;
  onExtract?: (e: ExtractEvent) => void;
}

/** Downloads and extracts `pkgs`; results in the order given. */
export async function packageContents<P extends DownloadablePackage>(
  pkgs: readonly P[],
  opts: PackageContentsOptions,
): Promise<PackageContents<P>[]> {
  const what = (pkg: DownloadablePackage) => `${pkg.name}_${pkg.version}_${pkg.architecture}`;
  // Already extracted (index and tar hash-checked): the .deb is not needed, not even re-hashed.
  const hits = await Promise.all(
    pkgs.map((p) =>
      cachedExtraction(p.sha256, { cache: opts.cache, mergedUsr: opts.mergedUsr, what: what(p) }),
    ),
  );
  const extractions = new Map<string, Promise<ExtractedDeb>>();
  pkgs.forEach((p, i) => {
    const hit = hits[i];
    if (hit) extractions.set(p.sha256, Promise.resolve(hit));
  });
  // Cache hits land all at once; one decompressor per CPU is what the machine can use.
  const slot = limiter(Math.max(1, opts.extractConcurrency ?? availableParallelism()));
  const extract = (path: string, pkg: DownloadablePackage) =>
    slot(async () => {
      opts.onExtract?.({ type: 'extract-start', package: pkg.name, size: pkg.size });
      const x = await extractDeb(path, {
        cache: opts.cache,
        sha256: pkg.sha256,
        mergedUsr: opts.mergedUsr,
        what: what(pkg),
        ...(opts.spawn ? { spawn: opts.spawn } : {}),
      });
      opts.onExtract?.({ type: 'extracted', package: pkg.name, entries: x.entries.length });
      return x;
    });
  await downloadPackages(
    pkgs.filter((p) => !extractions.has(p.sha256)),
    {
      ...opts,
      onDownloaded: (r) => {
        const p = extract(r.path, r.pkg);
        p.catch(() => {}); // awaited below; avoid an unhandled rejection while others still download
        extractions.set(r.pkg.sha256, p);
      },
    },
  );
  const out: PackageContents<P>[] = [];
  for (const pkg of pkgs) {
    const extracted = await (extractions.get(pkg.sha256) as Promise<ExtractedDeb>);
    assertIdentity(pkg, extracted);
    out.push({
      pkg,
      extracted,
      files: layerEntries(extracted),
      statusD: statusDEntries(extracted),
    });
  }
  return out;
}

const field = (control: string, name: string) => new RegExp(`^${name}:[ \\t]*(\\S+)`, 'm').exec(control)?.[1];

/**
 * The file found under a package's sha256 must be that package: its control file names the same
 * Package, Version and Architecture. The cache is looked up by sha256 alone, so a lock whose hash
 * for one package was swapped for another cached package's would otherwise build a different
 * image with exit 0. A package from a lock (no index stanza) blames the lock, not the index.
 */
export function assertIdentity(pkg: DownloadablePackage, x: ExtractedDeb): void {
  const got = {
    name: field(x.control, 'Package'),
    version: field(x.control, 'Version'),
    architecture: field(x.control, 'Architecture'),
  };
  if (got.name === pkg.name && got.version === pkg.version && got.architecture === pkg.architecture) return;
  const want = `${pkg.name} ${pkg.version} (${pkg.architecture})`;
  const is = `${got.name} ${got.version} (${got.architecture})`;
  const fromLock = (pkg as { stanza?: string }).stanza === '';
  throw new DebError(
    'DEB_IDENTITY_MISMATCH',
    fromLock
      ? `the lock names ${want} with sha256 ${pkg.sha256}, but the .deb with that hash is ${is}: the lock file was edited or damaged (the archive's signed index was not read for a locked build); resolve it again with --relock`
      : `the index names ${want} with sha256 ${pkg.sha256}, but the .deb with that hash is ${is}`,
  );
}
