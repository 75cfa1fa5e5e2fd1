/**
 * GETs from a Debian archive through an injected `fetch`, retrying what is transient (network
 * errors, 408, 429, 5xx) as a RetryPolicy says (platform/retry.ts); 404/410 become DEBIAN_NOT_FOUND so callers
 * can fall back (by-hash → canonical path, .xz → .gz).
 */
import {
  ARCHIVE_RETRY,
  type GetResponse,
  type RetryPolicy,
  retryableStatus,
  retryDelay,
} from '../../platform/index.ts';
import { DebianError } from '../errors.ts';

/** The GET port: httpGet in production; globalThis.fetch, a fake or a loopback server in tests. */
export type FetchFn = (url: string, init?: RequestInit) => Promise<GetResponse>;

/** How GETs are retried. */
export interface RetryOptions {
  /** Default ARCHIVE_RETRY: 4 attempts, 250 ms doubling. */
  readonly policy?: RetryPolicy;
  /** The sleep port (tests pass one that does not wait). */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Fetches `url` fully into memory. */
export async function getBytes(
  fetchFn: FetchFn,
  url: string,
  options: RetryOptions = {},
): Promise<Uint8Array> {
  return (await getResponse(fetchFn, url, options)).bytes;
}

/**
 * Fetches `url` and runs `check` on its bytes; a response that can be remembered (an HTTP cache's,
 * see platform/http-revalidate.ts) is remembered only after `check` passed.
 */
export async function getChecked<T>(
  fetchFn: FetchFn,
  url: string,
  check: (bytes: Uint8Array) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const { bytes, res } = await getResponse(fetchFn, url, options);
  const checked = await check(bytes);
  await (res as { remember?: () => Promise<void> }).remember?.();
  return checked;
}

async function getResponse(
  fetchFn: FetchFn,
  url: string,
  options: RetryOptions,
): Promise<{ bytes: Uint8Array; res: GetResponse }> {
  const policy = options.policy ?? ARCHIVE_RETRY;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last: unknown;
  for (let i = 0; i < policy.attempts; i++) {
    if (i > 0) await sleep(retryDelay(policy, i));
    let res: GetResponse;
    try {
      res = await fetchFn(url);
    } catch (err) {
      last = err;
      continue;
    }
    if (res.ok) {
      try {
        return { bytes: new Uint8Array(await res.arrayBuffer()), res };
      } catch (err) {
        // The body broke off mid-way (connection reset): transient.
        last = err;
        continue;
      }
    }
    await res.body?.cancel().catch(() => {});
    if (res.status === 404 || res.status === 410)
      throw new DebianError('DEBIAN_NOT_FOUND', `${url}: HTTP ${res.status}`);
    last = new Error(`HTTP ${res.status} ${res.statusText}`);
    if (!retryableStatus(policy, res.status)) break;
  }
  throw new DebianError(
    'DEBIAN_FETCH_FAILED',
    `${url}: ${(last as Error)?.message ?? 'failed'}; check the mirror and the network`,
    {
      cause: last,
    },
  );
}
