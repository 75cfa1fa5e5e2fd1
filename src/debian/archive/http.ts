/**
 * GETs from a Debian archive through an injected `fetch`, retrying what is transient (network
 * errors, 408, 429, 5xx) with exponential backoff; 404/410 become DEBIAN_NOT_FOUND so callers
 * can fall back (by-hash → canonical path, .xz → .gz).
 */
import type { GetResponse } from '../../platform/index.ts';
import { DebianError } from '../errors.ts';

/** The GET port: httpGet in production; globalThis.fetch, a fake or a loopback server in tests. */
export type FetchFn = (url: string, init?: RequestInit) => Promise<GetResponse>;

/** Retry policy. */
export interface RetryOptions {
  /** Attempts in all (default 4). */
  readonly attempts?: number;
  /** First backoff in ms, doubled each time (default 250). */
  readonly backoffMs?: number;
  /** The sleep port (tests pass one that does not wait). */
  readonly sleep?: (ms: number) => Promise<void>;
}

const transient = (status: number) => status === 408 || status === 429 || status >= 500;

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
  const attempts = options.attempts ?? 4;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await sleep((options.backoffMs ?? 250) * 2 ** (i - 1));
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
    if (!transient(res.status)) break;
  }
  throw new DebianError(
    'DEBIAN_FETCH_FAILED',
    `${url}: ${(last as Error)?.message ?? 'failed'}; check the mirror and the network`,
    {
      cause: last,
    },
  );
}
