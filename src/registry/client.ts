/** Options shared by push and pull, and the session they open for a reference. */
import type { BlobMemory } from './blob-memory.ts';
import type { EventSink } from './events.ts';
import { anonymousKeychain, type Keychain } from './keychain.ts';
import type { Reference } from './reference.ts';
import { RegistryHttp, type RegistryHttpOptions } from './registry-http.ts';
import { RegistrySession } from './session.ts';

export interface RegistryClientOptions extends RegistryHttpOptions {
  /** Where credentials come from. Default: none (anonymous); the CLI passes the docker keychain. */
  keychain?: Keychain;
  onEvent?: EventSink;
  /** A transport to reuse (its options win over the ones above). */
  transport?: RegistryHttp;
  /**
   * Which repositories hold which blobs, learnt from pushes and pulls and used to mount blobs
   * across repositories. Default: none (only `mountFrom`); `nodeRegistryOptions` keeps it in the cache.
   */
  blobMemory?: BlobMemory;
  /**
   * Sessions to reuse, by `registry/repository` (one ping and one token for many requests, as a
   * publish of many tags makes). Default: a new session per call.
   */
  sessions?: Map<string, RegistrySession>;
}

/** A transport whose retries are reported as events. */
export function registryHttpFor(opts: RegistryClientOptions): RegistryHttp {
  if (opts.transport) return opts.transport;
  return new RegistryHttp({
    ...opts,
    onRetry: (i) => {
      opts.onRetry?.(i);
      opts.onEvent?.({
        type: 'retry',
        what: i.what,
        attempt: i.attempt,
        delayMs: i.delayMs,
        message: i.error.message,
      });
    },
  });
}

export function sessionFor(ref: Reference, opts: RegistryClientOptions): RegistrySession {
  const key = `${ref.registry}/${ref.repository}`;
  const had = opts.sessions?.get(key);
  if (had) return had;
  const s = new RegistrySession(
    ref.registry,
    registryHttpFor(opts),
    opts.keychain ?? anonymousKeychain,
    ref.repository,
  );
  opts.sessions?.set(key, s);
  return s;
}

export { eachLimit } from '../platform/index.ts';
