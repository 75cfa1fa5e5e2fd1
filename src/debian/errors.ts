/** Errors of the Debian engine. Tests assert `code`; the CLI prints `distill: error CODE: message`. */
import { CodedError } from '../coded-error.ts';
export type DebianErrorCode =
  // where packages come from
  | 'DEBIAN_MIRROR_UNSET'
  | 'DEBIAN_SOURCES_INVALID'
  | 'DEBIAN_RELEASE_UNKNOWN'
  | 'DEBIAN_ARCH_UNSUPPORTED'
  // the trust chain
  | 'DEBIAN_KEYS_MISSING'
  | 'DEBIAN_INRELEASE_UNSIGNED'
  | 'DEBIAN_SIGNATURE_BAD'
  | 'DEBIAN_KEY_UNTRUSTED'
  | 'DEBIAN_RELEASE_INVALID'
  | 'DEBIAN_RELEASE_EXPIRED'
  | 'DEBIAN_RELEASE_MISMATCH'
  | 'DEBIAN_INDEX_UNLISTED'
  | 'DEBIAN_INDEX_HASH_MISMATCH'
  | 'DEBIAN_INDEX_INVALID'
  | 'DEBIAN_DECOMPRESS_FAILED'
  | 'DEBIAN_FETCH_FAILED'
  | 'DEBIAN_NOT_FOUND'
  // versions and resolution
  | 'DEBIAN_VERSION_INVALID'
  | 'DEBIAN_RELATION_INVALID'
  | 'DEBIAN_PACKAGE_UNKNOWN'
  | 'DEBIAN_UNSATISFIABLE'
  | 'DEBIAN_EXCLUDED_REQUESTED';

/** An error with a stable code and the error that caused it. */
export class DebianError extends CodedError<DebianErrorCode> {
  override readonly name = 'DebianError';
}
