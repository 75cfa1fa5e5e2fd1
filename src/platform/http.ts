/**
 * A small fetch wrapper: retries transient failures (connection errors, 5xx, 408, 429) as a
 * RetryPolicy says (platform/retry.ts), honouring Retry-After; everything else is returned or thrown at once.
 * `fetch` and `sleep` are injected so tests drive it without a network or a clock.
 */
import { PlatformError } from './errors.ts';
import { FETCH_RETRY, type RetryPolicy, retryAfterMs, retryableStatus, retryDelay } from './retry.ts';

/** What fetchWithRetry reads of a response: a fetch Response, or httpGet's lighter one. */
export interface RetryableResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  readonly body?: { cancel(): Promise<void> } | null;
}

/** The part of `fetch` distill uses (injected). */
export type FetchLike<R extends RetryableResponse = Response> = (
  input: string | URL,
  init?: RequestInit,
) => Promise<R>;

/** How fetchWithRetry retries; every effect is injectable. */
export interface RetryOptions<R extends RetryableResponse = Response> {
  /** Default: global fetch (for another response type R, pass the function that makes R). */
  fetch?: FetchLike<R>;
  /** Attempts, waits, cap. Default FETCH_RETRY (5 attempts, 250 ms doubling, 10 s cap). */
  policy?: RetryPolicy;
  sleep?: (ms: number) => Promise<void>;
  /** Current time in ms, for Retry-After HTTP-dates (default Date.now). */
  now?: () => number;
  /** Called before each retry, e.g. to emit a progress/log event. */
  onRetry?: (info: { url: string; attempt: number; delayMs: number; reason: string }) => void;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Fetches `url`, retrying transient failures. Resolves with an ok (2xx/3xx) Response; rejects with
 * PlatformError HTTP_STATUS (carrying `status`) for other statuses, HTTP_NETWORK when the connection
 * kept failing, HTTP_ABORTED when `init.signal` aborted.
 */
export async function fetchWithRetry<R extends RetryableResponse = Response>(
  url: string,
  init: RequestInit = {},
  opts: RetryOptions<R> = {},
): Promise<R> {
  const doFetch = opts.fetch ?? (globalThis.fetch as unknown as FetchLike<R>);
  const policy = opts.policy ?? FETCH_RETRY;
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  for (let attempt = 0; ; attempt++) {
    let reason: string;
    let retryAfter: number | undefined;
    const last = attempt + 1 >= policy.attempts;
    try {
      const res = await doFetch(url, init);
      if (res.ok) return res;
      // Drain so the connection can be reused.
      await res.body?.cancel().catch(() => {});
      if (!retryableStatus(policy, res.status) || last)
        throw new PlatformError('HTTP_STATUS', `GET ${url}: HTTP ${res.status} ${res.statusText}`.trim(), {
          status: res.status,
        });
      reason = `HTTP ${res.status}`;
      retryAfter = retryAfterMs(res.headers.get('retry-after'), now());
    } catch (err) {
      if (err instanceof PlatformError) throw err;
      if (init.signal?.aborted)
        throw new PlatformError('HTTP_ABORTED', `GET ${url}: aborted`, { cause: err });
      if (last) throw new PlatformError('HTTP_NETWORK', `GET ${url}: ${describe(err)}`, { cause: err });
      reason = describe(err);
    }
    const delay = retryDelay(policy, attempt + 1, retryAfter);
    opts.onRetry?.({ url, attempt: attempt + 1, delayMs: delay, reason });
    await sleep(delay);
  }
}

/** undici hides the useful part (ECONNRESET, ENOTFOUND) in `cause`. */
function describe(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const inner = e?.cause?.code ?? e?.cause?.message;
  return inner ? `${e.message ?? 'fetch failed'} (${inner})` : (e?.message ?? String(err));
}
