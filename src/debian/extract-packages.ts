/**
 * Packages → layer contents: downloads resolved packages into the cache and extracts each one as
 * soon as it lands (decompression overlaps the remaining downloads), then returns, per package, its
 * files as LayerEntry values plus its dpkg status.d files, ready for the deterministic layer writer.
 */
import type { LayerEntry } from '../oci/tar/entry.ts';
import type { Cache } from '../platform/cache.ts';
import type { SpawnFn } from './deb-reader.ts';
import { type DownloadablePackage, type DownloadOptions, downloadPackages } from './download.ts';
import { type ExtractedDeb, extractDeb, layerEntries } from './extract.ts';
import { statusDEntries } from './status-d.ts';

export interface PackageContents<P extends DownloadablePackage = DownloadablePackage> {
  pkg: P;
  extracted: ExtractedDeb;
  /** The package's files (merged-/usr applied when asked for). */
  files: LayerEntry[];
  /** var/lib/dpkg/status.d/<pkg> and <pkg>.md5sums (with their parent directories). */
  statusD: LayerEntry[];
}

export interface PackageContentsOptions extends Omit<DownloadOptions, 'onDownloaded'> {
  cache: Cache;
  /** debian13: true. */
  mergedUsr: boolean;
  spawn?: SpawnFn;
}

/** Downloads and extracts `pkgs`; results in the order given. */
export async function packageContents<P extends DownloadablePackage>(
  pkgs: readonly P[],
  opts: PackageContentsOptions,
): Promise<PackageContents<P>[]> {
  const extractions = new Map<string, Promise<ExtractedDeb>>();
  const extract = (path: string, pkg: DownloadablePackage) =>
    extractDeb(path, {
      cache: opts.cache,
      sha256: pkg.sha256,
      mergedUsr: opts.mergedUsr,
      what: `${pkg.name}_${pkg.version}_${pkg.architecture}`,
      ...(opts.spawn ? { spawn: opts.spawn } : {}),
    });
  const downloaded = await downloadPackages(pkgs, {
    ...opts,
    onDownloaded: (r) => {
      const p = extract(r.path, r.pkg);
      p.catch(() => {}); // awaited below; avoid an unhandled rejection while others still download
      extractions.set(r.pkg.sha256, p);
    },
  });
  const out: PackageContents<P>[] = [];
  for (const d of downloaded) {
    const extracted = await (extractions.get(d.pkg.sha256) ?? extract(d.path, d.pkg));
    out.push({
      pkg: d.pkg,
      extracted,
      files: layerEntries(extracted),
      statusD: statusDEntries(extracted),
    });
  }
  return out;
}
