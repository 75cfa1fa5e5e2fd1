/** Registry error responses → RegistryError with the registry's own codes and messages in the text. */
import { REGISTRY_RETRY, retryAfterMs, stripControls } from '../platform/index.ts';
import { RegistryError, type RegistryErrorCode, type RegistryErrorEntry } from './errors.ts';

/** Statuses go-containerregistry retries (remote/options.go). */
export const RETRYABLE_STATUS: ReadonlySet<number> = new Set(REGISTRY_RETRY.statuses);

/** Distribution error codes that say "try again" (transport/error.go Temporary()). */
export const TEMPORARY_CODES = new Set(['BLOB_UPLOAD_INVALID', 'TOOMANYREQUESTS', 'UNKNOWN', 'UNAVAILABLE']);

/** Parses `{"errors":[...]}`; anything else gives no entries. */
export function parseErrorBody(text: string): RegistryErrorEntry[] {
  try {
    const j = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(j.errors)) return [];
    return j.errors
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      .map((e) => ({
        code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
        ...(typeof e.message === 'string' ? { message: e.message } : {}),
        ...(e.detail !== undefined ? { detail: e.detail } : {}),
      }));
  } catch {
    return [];
  }
}

function codeFor(status: number, entries: RegistryErrorEntry[], authenticated: boolean): RegistryErrorCode {
  const codes = new Set(entries.map((e) => e.code));
  if (status === 401) return authenticated ? 'REGISTRY_AUTH_FAILED' : 'REGISTRY_AUTH_REQUIRED';
  if (status === 403 || codes.has('DENIED')) return 'REGISTRY_DENIED';
  if (
    status === 404 ||
    codes.has('MANIFEST_UNKNOWN') ||
    codes.has('BLOB_UNKNOWN') ||
    codes.has('NAME_UNKNOWN')
  )
    return 'REGISTRY_NOT_FOUND';
  if (RETRYABLE_STATUS.has(status)) return 'REGISTRY_UNAVAILABLE';
  return 'REGISTRY_HTTP_ERROR';
}

/** Builds the error for a failed request; `what` says what was being done ("HEAD blob sha256:..."). */
export function httpError(
  what: string,
  status: number,
  bodyText: string,
  opts: { authenticated?: boolean; retryAfter?: string | null; attempts?: number } = {},
): RegistryError {
  const entries = parseErrorBody(bodyText);
  const code = codeFor(status, entries, opts.authenticated ?? false);
  const details = printable(
    entries.length
      ? entries.map((e) => `${e.code}${e.message ? `: ${e.message}` : ''}${detailText(e.detail)}`).join('; ')
      : bodyText.trim(),
  );
  const hint =
    code === 'REGISTRY_AUTH_FAILED'
      ? ' — the credentials were refused; check the user name and password (distill login HOST)'
      : code === 'REGISTRY_AUTH_REQUIRED'
        ? ' — the registry needs credentials; run `distill login HOST` or `docker login HOST`'
        : code === 'REGISTRY_DENIED'
          ? ' — the credentials do not allow this; check the repository name and your access rights'
          : '';
  const tries = opts.attempts && opts.attempts > 1 ? ` after ${opts.attempts} attempts` : '';
  const retryAfter = retryAfterMs(opts.retryAfter);
  return new RegistryError(code, `${what}: HTTP ${status}${tries}${details ? ` (${details})` : ''}${hint}`, {
    status,
    entries,
    retryable: RETRYABLE_STATUS.has(status) || entries.some((e) => TEMPORARY_CODES.has(e.code)),
    ...(retryAfter !== undefined ? { retryAfterMs: retryAfter } : {}),
  });
}

/**
 * What a registry said, safe to print on a terminal: escape sequences and other control
 * characters (which could move the cursor, rewrite earlier lines or set the window title) are
 * dropped, runs of white space become one space, and the text is cut at 300 characters.
 */
export function printable(text: string): string {
  const clean = stripControls(text).replace(/\s+/g, ' ').trim();
  return clean.length > 300 ? `${clean.slice(0, 300)}…` : clean;
}

function detailText(d: unknown): string {
  if (d === undefined || d === null) return '';
  const s = typeof d === 'string' ? d : JSON.stringify(d);
  return s && s !== '{}' && s !== '[]' ? ` [${s.slice(0, 200)}]` : '';
}
