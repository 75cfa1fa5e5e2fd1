/** Errors of the SBOM writers. Tests assert `code`; the CLI prints `distill: error CODE: message`. */
import { CodedError } from '../coded-error.ts';

export type SbomErrorCode =
  /** --format names no writer distill has. */
  | 'SBOM_FORMAT_UNKNOWN'
  /** The SBOM file could not be written (missing directory, permissions, full disk). */
  | 'SBOM_WRITE_FAILED';

export class SbomError extends CodedError<SbomErrorCode> {
  override readonly name = 'SbomError';
}
