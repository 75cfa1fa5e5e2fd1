/**
 * Errors of the package side of the Debian engine (downloads, .deb reader, extraction, merged-/usr).
 * Separate from errors.ts (the archive side) so both can grow without touching each other's lines.
 */
import { CodedError } from '../../coded-error.ts';
export type DebErrorCode =
  /** The downloaded .deb's sha256 is not the one the signed Packages index gives. */
  | 'DEB_HASH_MISMATCH'
  /** The .deb (or a member inside it) ends before its declared size. */
  | 'DEB_TRUNCATED'
  /** More bytes than the Packages index's Size. */
  | 'DEB_SIZE_MISMATCH'
  /** Not an ar archive / not a Debian binary package / a damaged tar header. */
  | 'DEB_FORMAT_INVALID'
  /** control.tar or data.tar compressed with something other than xz, zstd, gzip or nothing. */
  | 'DEB_COMPRESSION_UNKNOWN'
  /** xz/zstd/gzip failed on the member (corrupt stream, or the tool is missing). */
  | 'DEB_DECOMPRESS_FAILED'
  /** An entry path that is absolute or contains `..`. */
  | 'DEB_PATH_UNSAFE'
  /** An entry below (or replacing) a symlink the package created earlier: it would write through it. */
  | 'DEB_SYMLINK_TRAVERSAL'
  /** A hardlink to a path that is not an earlier regular file of the same package. */
  | 'DEB_HARDLINK_INVALID'
  /** The same path twice (other than directories), or a clash created by the merged-/usr rewrite. */
  | 'DEB_PATH_CONFLICT'
  /** A tar entry type distill cannot represent (e.g. GNU sparse files). */
  | 'DEB_ENTRY_UNSUPPORTED'
  /** The control member has no `control` file, or it has no Package field. */
  | 'DEB_CONTROL_INVALID'
  /** The mirror no longer has the file (404/410): the lock or index is stale; re-lock. */
  | 'DEB_MISSING_ON_MIRROR'
  /** The download failed after retries. */
  | 'DEB_DOWNLOAD_FAILED'
  /** The .deb found under a package's sha256 is another package (a lock's hash swapped). */
  | 'DEB_IDENTITY_MISMATCH';

/** An error with a stable code and the error that caused it. */
export class DebError extends CodedError<DebErrorCode> {
  override readonly name = 'DebError';
}
