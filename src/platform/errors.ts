import { CodedError } from '../coded-error.ts';
/** Errors of the platform effects (cache, HTTP). Tests assert `code`; the CLI maps codes to messages. */
export type PlatformErrorCode =
  | 'CACHE_DIGEST_MISMATCH'
  | 'CACHE_SIZE_MISMATCH'
  | 'CACHE_DIGEST_INVALID'
  | 'CACHE_ROOT_UNSET'
  /** The cache path is a file, or cannot be created or written. */
  | 'CACHE_UNUSABLE'
  | 'HTTP_STATUS'
  | 'HTTP_NETWORK'
  | 'HTTP_ABORTED';

/** An error with a stable code and the error that caused it. */
export class PlatformError extends CodedError<PlatformErrorCode> {
  override readonly name = 'PlatformError';
  /** For HTTP_STATUS: the response status. */
  readonly status?: number;
  constructor(code: PlatformErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    if (options?.status !== undefined) this.status = options.status;
  }
}
