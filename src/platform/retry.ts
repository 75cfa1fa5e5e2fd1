/**
 * One retry policy, passed as data, for every HTTP client distill has (the Debian archive, npm,
 * registries): how many attempts, how long to wait between them, the cap on any wait (Retry-After
 * included), and which statuses are worth another try. One Retry-After parser.
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /**
   * Waits between attempts: after the nth failure, `backoff[n-1]` (the last repeated), or
   * `firstMs` doubled n-1 times.
   */
  readonly backoff: readonly number[] | { readonly firstMs: number };
  /** Upper bound on any single wait, Retry-After included. */
  readonly maxDelayMs: number;
  /** Statuses retried; default the transient ones (408, 429, 5xx but 501). */
  readonly statuses?: readonly number[];
}

/** fetchWithRetry's default (npm, node tarballs, .deb downloads): 5 attempts, 250 ms doubling, 10 s cap. */
export const FETCH_RETRY: RetryPolicy = { attempts: 5, backoff: { firstMs: 250 }, maxDelayMs: 10_000 };

/** The Debian archive's indexes: 4 attempts, 250 ms doubling. */
export const ARCHIVE_RETRY: RetryPolicy = { attempts: 4, backoff: { firstMs: 250 }, maxDelayMs: 10_000 };

/**
 * Registries, as go-containerregistry retries them (remote/options.go): 3 attempts, 1 s then 3 s,
 * Retry-After honoured up to 30 s, its list of statuses.
 */
export const REGISTRY_RETRY: RetryPolicy = {
  attempts: 3,
  backoff: [1000, 3000],
  maxDelayMs: 30_000,
  statuses: [408, 429, 499, 500, 502, 503, 504, 522],
};

/** True for statuses worth retrying: the server or a proxy says "try again". */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

/** Whether `status` is retried under `policy`. */
export function retryableStatus(policy: RetryPolicy, status: number): boolean {
  return policy.statuses ? policy.statuses.includes(status) : isTransientStatus(status);
}

/** The wait after the `failed`th attempt failed (1-based), or Retry-After when the server gave one; capped. */
export function retryDelay(policy: RetryPolicy, failed: number, retryAfter?: number): number {
  const b = policy.backoff;
  const backoff = Array.isArray(b)
    ? (b[Math.min(failed - 1, b.length - 1)] ?? 1000)
    : (b as { firstMs: number }).firstMs * 2 ** (failed - 1);
  return Math.min(policy.maxDelayMs, retryAfter ?? backoff);
}

/** Parses Retry-After (delta-seconds or an HTTP-date, relative to `now`) into ms, or undefined. */
export function retryAfterMs(
  header: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!header) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
