import { CodedError } from '../coded-error.ts';
/** Errors of the registry client. Tests assert `code`; the CLI prints `code` and the message. */
export type RegistryErrorCode =
  /** A reference that is not `[HOST[:PORT]/]REPO[:TAG][@sha256:HEX]`. */
  | 'REGISTRY_REF_INVALID'
  /** Plain http to a host that is neither loopback nor named with --insecure-registry. */
  | 'REGISTRY_INSECURE_REFUSED'
  /** Credentials were refused (wrong password, expired token): 401 after authenticating. */
  | 'REGISTRY_AUTH_FAILED'
  /** The registry wants credentials and none were found. */
  | 'REGISTRY_AUTH_REQUIRED'
  /** Authenticated, but not allowed (403 / DENIED). */
  | 'REGISTRY_DENIED'
  /** The manifest, tag, blob or repository does not exist. */
  | 'REGISTRY_NOT_FOUND'
  /** A docker-credential-* helper failed or printed something unreadable. */
  | 'REGISTRY_CREDENTIAL_HELPER_FAILED'
  /** A docker config.json or auth.json that cannot be read or parsed. */
  | 'REGISTRY_CONFIG_INVALID'
  /** Content whose digest or size differs from what names it. */
  | 'REGISTRY_DIGEST_MISMATCH'
  /** An index with no manifest for the requested platform. */
  | 'REGISTRY_PLATFORM_NOT_FOUND'
  /** The registry answered something the protocol does not allow (bad Location, bad JSON...). */
  | 'REGISTRY_PROTOCOL'
  /** The registry kept failing with a retryable status (408/429/5xx) until the retries ran out. */
  | 'REGISTRY_UNAVAILABLE'
  /** Connection refused/reset, DNS failure, broken pipe — after the retries ran out. */
  | 'REGISTRY_NETWORK'
  /** No bytes moved for longer than the idle timeout (a stalled connection). */
  | 'REGISTRY_TIMEOUT'
  /** Any other error status, with the registry's own error codes and messages in the text. */
  | 'REGISTRY_HTTP_ERROR'
  /** A manifest or blob larger than the client accepts in memory. */
  | 'REGISTRY_TOO_LARGE'
  /** The endpoint answers, but not with the registry API (an HTML page, a proxy's login form). */
  | 'REGISTRY_NOT_A_REGISTRY';

/** A distribution-spec error entry: `{"errors":[{"code","message","detail"}]}`. */
export interface RegistryErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** An error with a stable code, the HTTP status when there was one, and the registry's error entries. */
export class RegistryError extends CodedError<RegistryErrorCode> {
  override readonly name = 'RegistryError';
  readonly status: number | undefined;
  readonly entries: readonly RegistryErrorEntry[];
  /** Whether trying again may help (network trouble, 408/429/5xx, temporary registry codes). */
  readonly retryable: boolean;
  /** Milliseconds the registry asked us to wait (Retry-After). */
  readonly retryAfterMs: number | undefined;
  constructor(
    code: RegistryErrorCode,
    message: string,
    options: {
      cause?: unknown;
      status?: number;
      entries?: RegistryErrorEntry[];
      retryable?: boolean;
      retryAfterMs?: number;
    } = {},
  ) {
    super(code, message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.status = options.status;
    this.entries = options.entries ?? [];
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isRegistryError(e: unknown, code?: RegistryErrorCode): e is RegistryError {
  return e instanceof RegistryError && (code === undefined || e.code === code);
}
