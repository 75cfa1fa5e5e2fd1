/** Options shared by push and pull, and the session they open for a reference. */
import type { EventSink } from './events.ts';
import { anonymousKeychain, type Keychain } from './keychain.ts';
import type { Reference } from './reference.ts';
import { RegistrySession } from './session.ts';
import { Transport, type TransportOptions } from './transport.ts';

export interface RegistryClientOptions extends TransportOptions {
  /** Where credentials come from. Default: none (anonymous); the CLI passes the docker keychain. */
  keychain?: Keychain;
  onEvent?: EventSink;
  /** A transport to reuse (its options win over the ones above). */
  transport?: Transport;
}

/** A transport whose retries are reported as events. */
export function transportFor(opts: RegistryClientOptions): Transport {
  if (opts.transport) return opts.transport;
  return new Transport({
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
    transportFor(opts),
    opts.keychain ?? anonymousKeychain,
    ref.repository,
  );
}

export { eachLimit } from '../platform/index.ts';
