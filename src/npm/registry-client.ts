/**
 * A small npm registry client: abbreviated packuments and integrity-checked tarball downloads into
 * the content-addressed cache. Transient failures are retried by `fetchWithRetry`; a tarball whose
 * bytes do not match `dist.integrity` is never renamed into the cache.
 */
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type { Digest } from '../oci/index.ts';
import type { Cache } from '../platform/index.ts';
import {
  FETCH_RETRY,
  type FetchLike,
  fetchWithRetry,
  type GetResponse,
  httpGetFetch,
  PlatformError,
  type RetryableResponse,
  type RetryOptions,
  type RevalidatedResponse,
  retryDelay,
  revalidating,
} from '../platform/index.ts';
import { authorizationFor } from './auth.ts';
import type { NpmConfig } from './config.ts';
import { NpmError } from './errors.ts';
import { verifyIntegrity } from './integrity.ts';

/** One version of an abbreviated packument (what distill reads of it). */
export interface PackumentVersion {
  name: string;
  version: string;
  dist: { tarball: string; integrity?: string; shasum?: string };
  deprecated?: string;
}

/** An abbreviated packument (`application/vnd.npm.install-v1+json`). */
export interface Packument {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, PackumentVersion>;
}

export type RegistryEvent =
  | { type: 'packument'; name: string; url: string }
  | { type: 'tarball-cached'; url: string; path: string }
  | { type: 'tarball-bytes'; url: string; received: number; total?: number }
  | { type: 'tarball-fetched'; url: string; bytes: number; ms: number }
  | { type: 'retry'; url: string; attempt: number; reason: string };

export interface RegistryOptions {
  config: Pick<NpmConfig, 'registry' | 'settings'>;
  fetch?: FetchLike;
  /**
   * Where packuments are kept for HTTP caching: reused while the registry's max-age says they are
   * fresh (capped at 5 minutes, as npm reuses them), then revalidated with their ETag.
   */
  cache?: Cache;
  /** Backoff and retry tuning for fetchWithRetry (tests pass `sleep`). */
  retry?: Omit<RetryOptions, 'fetch' | 'onRetry'>;
  signal?: AbortSignal;
  onEvent?: (e: RegistryEvent) => void;
  /** Clock for download timings and packument freshness (default Date.now). */
  now?: () => number;
}

const ABBREVIATED = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*';

/** The packument URL of `name` under the configured registry (path prefixes kept). */
export function packumentUrl(registry: string, name: string): string {
  const escaped = name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name);
  return `${registry.replace(/\/+$/, '')}/${escaped}`;
}

async function get<R extends RetryableResponse = Response>(
  url: string,
  accept: string,
  opts: RegistryOptions,
  fetch?: FetchLike<R>,
): Promise<R> {
  const headers: Record<string, string> = { accept };
  const auth = authorizationFor(url, opts.config.settings);
  if (auth) headers.authorization = auth;
  try {
    return await fetchWithRetry<R>(
      url,
      { headers, ...(opts.signal ? { signal: opts.signal } : {}) },
      {
        ...opts.retry,
        ...(fetch ? { fetch } : {}),
        onRetry: (r) => opts.onEvent?.({ type: 'retry', url, attempt: r.attempt, reason: r.reason }),
      },
    );
  } catch (err) {
    if (err instanceof PlatformError && err.status === 404)
      throw new NpmError('NPM_PACKAGE_NOT_FOUND', `${url}: not found in the registry`, { cause: err });
    throw new NpmError('NPM_FETCH_FAILED', `${url}: ${(err as Error).message}`, { cause: err });
  }
}

function checkPackument(body: unknown, name: string, url: string): Packument {
  const bad = (why: string) => new NpmError('NPM_PACKUMENT_INVALID', `${url}: ${why}`);
  if (typeof body !== 'object' || body === null) throw bad('not a JSON object');
  const p = body as Partial<Packument>;
  if (p.name !== name) throw bad(`names ${JSON.stringify(p.name)}, expected ${JSON.stringify(name)}`);
  if (typeof p.versions !== 'object' || p.versions === null) throw bad('has no versions');
  for (const [v, meta] of Object.entries(p.versions)) {
    const dist = (meta as Partial<PackumentVersion>)?.dist;
    if (typeof dist?.tarball !== 'string') throw bad(`version ${v} has no dist.tarball`);
  }
  return { name, 'dist-tags': p['dist-tags'] ?? {}, versions: p.versions };
}

/** Fetches the abbreviated packument of `name` from the configured registry. */
export async function fetchPackument(name: string, opts: RegistryOptions): Promise<Packument> {
  const url = packumentUrl(opts.config.registry, name);
  opts.onEvent?.({ type: 'packument', name, url });
  // A packument is read whole: the plain node:http GET spares loading undici (global fetch).
  const plain = opts.fetch ?? httpGetFetch;
  const fetch = opts.cache
    ? revalidating(plain, { cache: opts.cache, reuseFresh: true, ...(opts.now ? { now: opts.now } : {}) })
    : plain;
  const res = await get<GetResponse | Response>(url, ABBREVIATED, opts, fetch);
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw new NpmError('NPM_PACKUMENT_INVALID', `${url}: not JSON`, { cause: err });
  }
  const packument = checkPackument(body, name, url);
  // The HTTP cache keeps a packument only once it is known good.
  await (res as RevalidatedResponse).remember?.();
  return packument;
}

/** A tarball in the cache. */
export interface CachedTarball {
  path: string;
  digest: Digest;
  size: number;
  /** True when no download was needed. */
  cached: boolean;
}

/** The cache key recording which blob holds the tarball with this integrity. */
export const tarballKey = (integrity: string) => `npm-tarball:v1:${integrity.trim()}`;

export interface DownloadOptions extends RegistryOptions {
  cache: Cache;
  /** New requests after a connection lost mid-body (default 2). */
  bodyRetries?: number;
}

/**
 * Downloads `url` into the cache, checking `integrity` while streaming (a cache hit for the same
 * integrity skips the network). Rejects with NPM_INTEGRITY_MISMATCH, storing nothing, on bad bytes.
 */
export async function downloadTarball(
  url: string,
  integrity: string,
  opts: DownloadOptions,
): Promise<CachedTarball> {
  const key = tarballKey(integrity);
  const hit = await opts.cache.getKey(key);
  if (hit) {
    const path = opts.cache.path(hit);
    opts.onEvent?.({ type: 'tarball-cached', url, path });
    const { size } = await stat(path);
    return { path, digest: hit, size, cached: true };
  }
  verifyIntegrity(integrity, url); // NPM_INTEGRITY_UNSUPPORTED before any I/O
  const now = opts.now ?? Date.now;
  const start = now();
  const bodyRetries = opts.bodyRetries ?? 2;
  let stored: Awaited<ReturnType<Cache['putStream']>>;
  for (let attempt = 0; ; attempt++) {
    const res = await get(url, 'application/octet-stream, */*', opts, opts.fetch);
    if (!res.body) throw new NpmError('NPM_FETCH_FAILED', `${url}: empty response`);
    const total = Number(res.headers.get('content-length')) || undefined;
    let received = 0;
    async function* counted(src: AsyncIterable<Uint8Array>) {
      for await (const chunk of src) {
        received += chunk.length;
        opts.onEvent?.({ type: 'tarball-bytes', url, received, ...(total ? { total } : {}) });
        yield chunk;
      }
    }
    try {
      const verify = verifyIntegrity(integrity, url);
      stored = await opts.cache.putStream(verify(counted(Readable.fromWeb(res.body as never))));
      break;
    } catch (err) {
      // Bad bytes are final; a connection lost mid-body is worth another try.
      if (err instanceof NpmError) throw err;
      if (attempt >= bodyRetries)
        throw new NpmError('NPM_FETCH_FAILED', `${url}: download failed: ${(err as Error).message}`, {
          cause: err,
        });
      opts.onEvent?.({ type: 'retry', url, attempt: attempt + 1, reason: (err as Error).message });
      await (opts.retry?.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))(
        retryDelay(opts.retry?.policy ?? FETCH_RETRY, attempt + 1),
      );
    }
  }
  await opts.cache.putKey(key, stored.digest);
  opts.onEvent?.({ type: 'tarball-fetched', url, bytes: stored.size, ms: now() - start });
  return { path: stored.path, digest: stored.digest, size: stored.size, cached: false };
}
