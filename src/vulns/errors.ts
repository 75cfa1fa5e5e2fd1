/** Errors of the vulnerability matcher. Tests assert `code`. */
import { CodedError } from '../coded-error.ts';

export type VulnErrorCode =
  /** The vulnerability data is not JSON, or not the tracker's shape. */
  | 'VULN_DB_INVALID'
  /** --vuln-db names a file that cannot be read. */
  | 'VULN_DB_UNREADABLE'
  /** The tracker could not be reached or answered with an error. */
  | 'VULN_DB_DOWNLOAD';

export class VulnError extends CodedError<VulnErrorCode> {}
