/** Errors of the ELF reader. Tests assert `code`; the CLI prints `distill: error CODE: message`. */
import { CodedError } from '../coded-error.ts';
export type ElfErrorCode =
  /** The input does not start with the ELF magic (`\x7fELF`): not an ELF file at all. */
  | 'ELF_NOT_ELF'
  /** The magic is there but a header field is impossible (bad class, data encoding, offsets, sizes). */
  | 'ELF_INVALID'
  /** A header, table or string points past the end of the input. */
  | 'ELF_TRUNCATED'
  /** Reading the input failed (I/O error, file missing). */
  | 'ELF_READ_FAILED';

/** An error with a stable code and the error that caused it. */
export class ElfError extends CodedError<ElfErrorCode> {
  override readonly name = 'ElfError';
}
