/** Errors of the npm registry client and the Node.js runtime. Tests assert `code`. */
import { CodedError } from '../coded-error.ts';
export type NpmErrorCode =
  // configuration
  | 'NPM_CONFIG_INVALID'
  | 'NPM_REGISTRY_UNSET'
  // registry protocol
  | 'NPM_FETCH_FAILED'
  | 'NPM_PACKAGE_NOT_FOUND'
  | 'NPM_PACKUMENT_INVALID'
  | 'NPM_VERSION_NOT_FOUND'
  // trust
  | 'NPM_INTEGRITY_UNSUPPORTED'
  | 'NPM_INTEGRITY_MISMATCH'
  | 'NPM_LOCK_MISMATCH'
  // the node tarball
  | 'NPM_TARBALL_INVALID'
  | 'NODE_BINARY_ARCH_MISMATCH'
  | 'NODE_MAJOR_UNSUPPORTED'
  | 'NODE_ARCH_UNSUPPORTED';

/** An error with a stable code and the error that caused it. */
export class NpmError extends CodedError<NpmErrorCode> {
  override readonly name = 'NpmError';
}
