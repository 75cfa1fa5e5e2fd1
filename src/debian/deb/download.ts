/**
 * Downloads resolved .deb files into the content-addressed cache: bounded parallelism, progress
 * events, retries of transient failures, each file checked against the sha256 and size from the
 * signed Packages index before it is renamed into place. A cache hit (hash re-checked) skips the
 * network, so a locked package that has vanished from the mirror still builds while it is cached.
 */
import type { Digest } from '../../oci/index.ts';
import type { Cache } from '../../platform/index.ts';
import { eachLimit, type FetchLike, fetchWithRetry, PlatformError, toDigest } from '../../platform/index.ts';
import type { ResolvedPackage } from '../types.ts';
import { DebError } from './errors.ts';

/** What the downloader needs of a resolved package. */
export type DownloadablePackage = Pick<
  ResolvedPackage,
  'name' | 'version' | 'architecture' | 'filename' | 'sha256' | 'size' | 'mirror'
>;

/** Progress events: per package (start, bytes, retry, done) with running byte and package totals. */
export type DownloadEvent =
  | { type: 'start'; package: string; size: number }
  | { type: 'bytes'; package: string; received: number; size: number; bytesDone: number; bytesTotal: number }
  | { type: 'retry'; package: string; attempt: number; reason: string }
  | {
      type: 'done';
      package: string;
      cached: boolean;
      packagesDone: number;
      packagesTotal: number;
      bytesDone: number;
      bytesTotal: number;
    };

/** Effects and limits of downloadPackages. */
export interface DownloadOptions {
  cache: Cache;
  fetch?: FetchLike;
  /** Parallel downloads (default 4). */
  concurrency?: number;
  onProgress?: (e: DownloadEvent) => void;
  /** Called as each package lands (cache hits too), so work on it can start before the rest arrive. */
  onDownloaded?: (r: DownloadedPackage) => void;
  signal?: AbortSignal;
  /** Retries per package of a failed transfer, including connection drops mid-body (default 3). */
  retries?: number;
  /** Injected for tests (backoff waits). */
  sleep?: (ms: number) => Promise<void>;
}

/** A package whose .deb is in the cache, hash-checked. */
export interface DownloadedPackage<P extends DownloadablePackage = DownloadablePackage> {
  pkg: P;
  /** The .deb in the cache (hash-checked). */
  path: string;
  digest: Digest;
  /** True when it was already in the cache. */
  cached: boolean;
}

const label = (p: DownloadablePackage) => `${p.name}_${p.version}_${p.architecture}`;

/** Downloads every package (cache first); results are in the order given. */
export async function downloadPackages<P extends DownloadablePackage>(
  pkgs: readonly P[],
  opts: DownloadOptions,
): Promise<DownloadedPackage<P>[]> {
  const bytesTotal = pkgs.reduce((n, p) => n + p.size, 0);
  let bytesDone = 0;
  let packagesDone = 0;
  const emit = opts.onProgress ?? (() => {});
  const results: DownloadedPackage<P>[] = new Array(pkgs.length);

  async function one(pkg: P): Promise<DownloadedPackage<P>> {
    const digest = toDigest(pkg.sha256);
    const hit = await opts.cache.get(digest);
    if (hit) return { pkg, path: hit, digest, cached: true };
    emit({ type: 'start', package: pkg.name, size: pkg.size });
    const url = `${pkg.mirror.replace(/\/+$/, '')}/${pkg.filename}`;
    const retries = opts.retries ?? 3;
    for (let attempt = 0; ; attempt++) {
      let received = 0;
      try {
        const init: RequestInit = opts.signal ? { signal: opts.signal } : {};
        const res = await fetchWithRetry(url, init, {
          ...(opts.fetch ? { fetch: opts.fetch } : {}),
          ...(opts.sleep ? { sleep: opts.sleep } : {}),
          onRetry: (r) => emit({ type: 'retry', package: pkg.name, attempt: r.attempt, reason: r.reason }),
        });
        if (!res.body) throw new DebError('DEB_DOWNLOAD_FAILED', `${url}: empty response`);
        const body = res.body;
        const counted = (async function* () {
          for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
            received += chunk.length;
            bytesDone += chunk.length;
            emit({ type: 'bytes', package: pkg.name, received, size: pkg.size, bytesDone, bytesTotal });
            yield chunk;
          }
        })();
        const stored = await opts.cache.putStream(counted, { sha256: pkg.sha256, size: pkg.size });
        return { pkg, path: stored.path, digest, cached: false };
      } catch (err) {
        bytesDone -= received;
        const e = classify(err, pkg, url, received);
        if (e.retry && attempt < retries && !opts.signal?.aborted) {
          emit({ type: 'retry', package: pkg.name, attempt: attempt + 1, reason: e.error.message });
          await (opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(
            Math.min(4000, 250 * 2 ** attempt),
          );
          continue;
        }
        throw e.error;
      }
    }
  }

  await eachLimit(pkgs, opts.concurrency ?? 4, async (pkg, i) => {
    const r = await one(pkg);
    results[i] = r;
    opts.onDownloaded?.(r);
    packagesDone++;
    if (r.cached) bytesDone += pkg.size;
    emit({
      type: 'done',
      package: pkg.name,
      cached: r.cached,
      packagesDone,
      packagesTotal: pkgs.length,
      bytesDone,
      bytesTotal,
    });
  });
  return results;
}

/** Maps a failure to a stable DebError, and says whether another attempt could help. */
function classify(
  err: unknown,
  pkg: DownloadablePackage,
  url: string,
  received: number,
): { error: DebError; retry: boolean } {
  const name = label(pkg);
  if (err instanceof DebError) return { error: err, retry: false };
  if (err instanceof PlatformError) {
    switch (err.code) {
      case 'CACHE_DIGEST_MISMATCH':
        return {
          error: new DebError(
            'DEB_HASH_MISMATCH',
            (pkg as { stanza?: string }).stanza === ''
              ? `${name}: ${url} does not have the sha256 the lock gives (${pkg.sha256}): the lock was edited or damaged, or the mirror serves another build of it; resolve again with --relock`
              : `${name}: ${url} does not have the sha256 the signed Packages index gives (${pkg.sha256}); the mirror may be mid-sync or tampered with`,
            { cause: err },
          ),
          retry: false,
        };
      case 'CACHE_SIZE_MISMATCH':
        return received < pkg.size
          ? {
              error: new DebError(
                'DEB_TRUNCATED',
                `${name}: ${url} ended after ${received} of ${pkg.size} bytes`,
                {
                  cause: err,
                },
              ),
              retry: true,
            }
          : {
              error: new DebError(
                'DEB_SIZE_MISMATCH',
                `${name}: ${url} is larger than the ${pkg.size} bytes the index gives`,
                {
                  cause: err,
                },
              ),
              retry: false,
            };
      case 'HTTP_STATUS':
        if (err.status === 404 || err.status === 410)
          return {
            error: new DebError(
              'DEB_MISSING_ON_MIRROR',
              `${name}: ${url} is gone from the mirror (HTTP ${err.status}); the lock or index is stale — re-lock (distill lock)`,
              { cause: err },
            ),
            retry: false,
          };
        return {
          error: new DebError('DEB_DOWNLOAD_FAILED', `${name}: ${err.message}`, { cause: err }),
          retry: false,
        };
      case 'HTTP_ABORTED':
        return {
          error: new DebError('DEB_DOWNLOAD_FAILED', `${name}: download aborted`, { cause: err }),
          retry: false,
        };
      default:
        return {
          error: new DebError('DEB_DOWNLOAD_FAILED', `${name}: ${err.message}`, { cause: err }),
          retry: false,
        };
    }
  }
  // A connection dropped mid-body (undici: "terminated"), a reset, a write error: worth another go.
  const msg = (err as Error)?.message ?? String(err);
  return {
    error: new DebError('DEB_DOWNLOAD_FAILED', `${name}: ${url}: ${msg}`, { cause: err }),
    retry: true,
  };
}
