/**
 * The effects every verb of the library API may be given (environment, cache directory, clock,
 * HTTP) and their defaults on a real machine, resolved in one place so each verb stays a few lines.
 */
import {
  type ArchiveContext,
  type DebianRelease,
  type FetchFn,
  openArchiveContext,
} from '../debian/index.ts';
import { type Cache, cacheRoot, EpochError, openCache, sourceDateEpoch } from '../platform/index.ts';

/** Effects shared by the verbs. Every field is optional; the default is what the CLI uses. */
export interface Effects {
  /** Environment read for mirrors, credentials and defaults. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The content-addressed cache. Default `$DISTILL_CACHE`, else `$XDG_CACHE_HOME/distill`, else `~/.cache/distill`. */
  cacheDir?: string;
  /** Seconds since the epoch for every timestamp in the image. Default `SOURCE_DATE_EPOCH`, else 0. */
  epoch?: number;
}

/** Where Debian packages come from (verbs that resolve or fetch packages). */
export interface DebianSource {
  /** The Debian archive. Default `DISTILL_DEBIAN_MIRROR`, then the config, then the host's apt sources. */
  mirror?: string;
  /** The Debian security archive. Default `DISTILL_DEBIAN_SECURITY_MIRROR`, then as for `mirror`. */
  securityMirror?: string;
  /** HTTP GET for the archive (tests pass a fake). Default a node:http client with retries. */
  fetch?: FetchFn;
}

export interface ResolvedEffects {
  env: Readonly<Record<string, string | undefined>>;
  cacheDir: string;
  epoch: number;
}

/** Fills in the defaults. Throws EpochError (SOURCE_DATE_EPOCH_INVALID) for a bad epoch. */
export function resolveEffects(e: Effects = {}): ResolvedEffects {
  const env = e.env ?? process.env;
  // The same rule as for SOURCE_DATE_EPOCH: a fraction or negative time would reach tar headers.
  if (e.epoch !== undefined && !(Number.isSafeInteger(e.epoch) && e.epoch >= 0))
    throw new EpochError(`epoch must be a whole number of seconds from 0, got ${e.epoch}`);
  return { env, cacheDir: e.cacheDir ?? cacheRoot(env), epoch: e.epoch ?? sourceDateEpoch(env) };
}

/** Opens the cache the effects name. */
export function openEffectsCache(e: ResolvedEffects): Promise<Cache> {
  return openCache(e.cacheDir);
}

/**
 * The archive of a Debian release, from the verb's DebianSource and effects: the one way the
 * verbs open it. `indexes: false` when a lock names every package (no index is read).
 */
export function openArchive(
  o: DebianSource,
  fx: ResolvedEffects,
  cache: Cache,
  debian: DebianRelease,
  more: { indexes?: boolean } = {},
): Promise<ArchiveContext> {
  return openArchiveContext({
    debian,
    env: fx.env,
    flag: o.mirror,
    securityFlag: o.securityMirror,
    cache,
    ...more,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
}
