/** Errors of signing and verification. Tests assert `code`; the CLI prints `distill: error CODE: message`. */
import { CodedError } from '../coded-error.ts';

export type SignErrorCode =
  /** The key file is not a key distill reads (PEM of the wrong kind, bad base64, bad JSON). */
  | 'SIGN_KEY_INVALID'
  /** A key of another algorithm or curve than ECDSA P-256, which cosign generates. */
  | 'SIGN_KEY_UNSUPPORTED'
  /** An encrypted key and no password ($COSIGN_PASSWORD unset). */
  | 'SIGN_KEY_PASSWORD_MISSING'
  /** The password does not open the encrypted key. */
  | 'SIGN_KEY_PASSWORD_WRONG'
  /** generate-key-pair would replace an existing key file. */
  | 'SIGN_KEY_EXISTS'
  /** The key files could not be written. */
  | 'SIGN_KEY_WRITE_FAILED'
  /** No signature (or attestation of the asked type) was found for the image. */
  | 'SIGN_NOT_FOUND'
  /** A signature or attestation did not verify: bad signature, or it names another image. */
  | 'SIGN_VERIFY_FAILED'
  /** A signature/attestation manifest or layer is malformed. */
  | 'SIGN_MANIFEST_INVALID'
  /** The image cannot carry signatures where it is (docker-archive, docker-daemon). */
  | 'SIGN_TARGET_UNSUPPORTED'
  /** An OCI layout already holds the signatures of another image it still references. */
  | 'SIGN_LAYOUT_CONFLICT'
  /** --type names no predicate type distill knows, or --predicate is not JSON. */
  | 'SIGN_PREDICATE_INVALID';

export class SignError extends CodedError<SignErrorCode> {
  override readonly name = 'SignError';
}
