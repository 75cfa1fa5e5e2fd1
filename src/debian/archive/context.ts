/**
 * Wires the archive reader to the real world for a command: mirrors (flag/env/config/apt), the
 * shipped keys, the content-addressed cache, a plain node:http GET and the system clock. Commands call
 * this; tests build ArchiveOptions themselves with fakes.
 */
import { type Cache, cacheRoot, httpGet, openCache } from '../../platform/index.ts';
import type { ReleaseSpec } from '../types.ts';
import type { FetchFn } from './http.ts';
import type { ArchiveEvent, ArchiveOptions } from './indexes.ts';
import { keyringOfKeys, loadKeyring } from './keys.ts';
import {
  type DiscoverOptions,
  discoverMirrors,
  type Mirrors,
  parseDebianRelease,
  releaseSpec,
} from './mirror.ts';

/** What a command knows. */
export interface ContextOptions extends Omit<DiscoverOptions, 'env'> {
  readonly debian: string | number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly fetch?: FetchFn;
  readonly cache?: Cache;
  readonly keysDir?: string;
  readonly onEvent?: (event: ArchiveEvent) => void;
  /**
   * False when no index will be read (a build from a lock): the keys are not loaded, and any
   * index verification attempted anyway fails, as with an empty keyring.
   */
  readonly indexes?: boolean;
}

/** A ready-to-use archive context. */
export interface ArchiveContext {
  readonly mirrors: Mirrors;
  readonly spec: ReleaseSpec;
  readonly archive: ArchiveOptions;
  readonly cache: Cache;
}

/** Discovers mirrors, loads keys and opens the cache. */
export async function openArchiveContext(options: ContextOptions): Promise<ArchiveContext> {
  const debian = parseDebianRelease(options.debian);
  const mirrors = await discoverMirrors(options);
  const cache = options.cache ?? (await openCache(cacheRoot(options.env)));
  // DISTILL_DEBIAN_KEYS replaces the shipped keys (a private archive; the tests' fixture archive).
  const keyring =
    options.indexes === false
      ? keyringOfKeys([])
      : await loadKeyring(options.keysDir ?? options.env.DISTILL_DEBIAN_KEYS);
  return {
    mirrors,
    spec: releaseSpec(debian, mirrors),
    cache,
    archive: {
      fetch: options.fetch ?? ((url) => httpGet(url)),
      keyring,
      cache,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    },
  };
}
