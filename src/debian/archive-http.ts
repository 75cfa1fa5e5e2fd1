/**
 * GETs from a Debian archive through an injected `fetch`, retrying what is transient (network
 * errors, 408, 429, 5xx) with exponential backoff; 404/410 become DEBIAN_NOT_FOUND so callers
 * can fall back (by-hash → canonical path, .xz → .gz).
 */
import type { GetResponse } from '../platform/http-get.ts';
import { DebianError } from './errors.ts';

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
        return new Uint8Array(await res.arrayBuffer());
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
