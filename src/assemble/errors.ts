/** Errors of the assembly helpers. Tests assert `code`; the CLI maps codes to messages. */
import { CodedError } from '../coded-error.ts';
export type AssembleErrorCode =
  /** A Debian release distill does not know (root files are per release). */
  | 'ASSEMBLE_RELEASE_UNKNOWN'
  /** The ca-certificates package has no certificates (or no copyright file). */
  | 'CA_PACKAGE_INVALID'
  /** A certificate file in the package is not PEM or not a parseable X.509 certificate. */
  | 'CA_CERT_INVALID'
  /** The bundle holds no certificates, or a certificate's DER could not be read. */
  | 'KEYSTORE_INPUT_INVALID'
  /** The busybox-static package has no busybox binary. */
  | 'BUSYBOX_NOT_FOUND'
  /** The busybox binary is not an ELF file for the architecture asked for. */
  | 'BUSYBOX_ARCH_MISMATCH'
  /** No applet name table could be found in the binary. */
  | 'BUSYBOX_APPLETS_NOT_FOUND';

/** An error with a stable code and the error that caused it. */
export class AssembleError extends CodedError<AssembleErrorCode> {
  override readonly name = 'AssembleError';
}
