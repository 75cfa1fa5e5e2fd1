/** Errors of `distill audit`. Tests assert `code`; the CLI maps them to messages and exit codes. */
import { CodedError } from '../coded-error.ts';

export type AuditErrorCode =
  /** The audit ran and the image failed the gate (`--fail-on`, `--policy`): exit code 3. */
  | 'AUDIT_FAILED'
  /** `--sarif FILE` could not be written (nothing is left behind). */
  | 'AUDIT_WRITE_FAILED';

export class AuditError extends CodedError<AuditErrorCode> {}
