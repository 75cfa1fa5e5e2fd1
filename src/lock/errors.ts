/** Errors of the lockfile. Tests assert `code`; the CLI prints `distill: error CODE: message`. */
import { CodedError } from '../coded-error.ts';
export type LockErrorCode =
  | 'LOCK_INVALID'
  | 'LOCK_MISSING'
  | 'LOCK_STALE'
  | 'LOCK_ARCH_MISSING'
  | 'LOCK_RELEASE_CHANGED';

/** An error with a stable code and the error that caused it. */
export class LockError extends CodedError<LockErrorCode> {
  override readonly name = 'LockError';
}
