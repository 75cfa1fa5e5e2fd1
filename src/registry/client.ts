/** Options shared by push and pull, and the session they open for a reference. */
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
  return new RegistrySession(
    ref.registry,
    registryHttpFor(opts),
    opts.keychain ?? anonymousKeychain,
    ref.repository,
  );
}

export { eachLimit } from '../platform/index.ts';
