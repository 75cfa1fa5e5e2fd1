/** Errors of the ld.so.cache writer and reader. Tests assert `code`. */
import { CodedError } from '../coded-error.ts';
export type LdCacheErrorCode =
  /** The bytes are not a glibc ld.so.cache in the new format (bad magic/version, impossible offsets). */
  | 'LDCACHE_INVALID'
  /** A table or string of the cache runs past the end of the bytes. */
  | 'LDCACHE_TRUNCATED'
  /** The target architecture has no ld.so.cache flags known to distill. */
  | 'LDCACHE_ARCH_UNSUPPORTED'
  /** An entry given to the writer is unusable (empty name, NUL byte, relative path). */
  | 'LDCACHE_ENTRY_INVALID'
  /** Options that cannot work (no generator nor libc version, a glibc version that is not 2.x). */
  | 'LDCACHE_OPTIONS_INVALID'
  /** Reading the image's files failed. */
  | 'LDCACHE_READ_FAILED';

/** An error with a stable code and the error that caused it. */
export class LdCacheError extends CodedError<LdCacheErrorCode> {
  override readonly name = 'LdCacheError';
}
