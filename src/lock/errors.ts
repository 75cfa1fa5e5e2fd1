/** Errors of the lockfile. Tests assert `code`; the CLI prints `distill: error CODE: message`. */
export type LockErrorCode = 'LOCK_INVALID' | 'LOCK_MISSING' | 'LOCK_STALE' | 'LOCK_ARCH_MISSING';

/** An error with a stable code and the error that caused it. */
export class LockError extends Error {
  readonly code: LockErrorCode;
  constructor(code: LockErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LockError';
    this.code = code;
  }
}
