/** Errors of `distill compare`. Tests assert `code`; the CLI prints `distill: error CODE: message`. */
import { CodedError } from '../coded-error.ts';

export type CompareErrorCode =
  /** One of the images could not be opened or read (its own error is the cause, its code in the message). */
  | 'COMPARE_IMAGE_UNREADABLE'
  /** The report file could not be written (missing directory, permissions, full disk). */
  | 'COMPARE_WRITE_FAILED';

export class CompareError extends CodedError<CompareErrorCode> {
  override readonly name = 'CompareError';
}
