/** Errors of the OCI model, sources and sinks. Tests assert `code`; the CLI maps codes to messages. */
import { CodedError } from '../coded-error.ts';
export type OciErrorCode =
  | 'OCI_DIGEST_INVALID'
  | 'OCI_DIGEST_MISMATCH'
  | 'OCI_SIZE_MISMATCH'
  | 'OCI_JSON_INVALID'
  | 'OCI_MANIFEST_INVALID'
  | 'OCI_INDEX_INVALID'
  | 'OCI_CONFIG_INVALID'
  | 'OCI_BLOB_MISSING'
  | 'OCI_LAYOUT_INVALID'
  | 'OCI_REF_NOT_FOUND'
  | 'OCI_REF_AMBIGUOUS'
  | 'OCI_ARCHIVE_INVALID'
  | 'OCI_ARCHIVE_TRUNCATED'
  | 'OCI_PLATFORM_INVALID'
  | 'OCI_PLATFORM_NOT_FOUND'
  | 'OCI_VALIDATION_FAILED'
  | 'LAYER_PATH_INVALID'
  | 'LAYER_ENTRY_UNSUPPORTED'
  | 'LAYER_SOURCE_INVALID'
  | 'OUTPUT_EXISTS'
  /** The blobs to write are larger than the free space where they go. */
  | 'OUTPUT_NO_SPACE'
  /** An output path that is a device, socket or directory where a file is wanted. */
  | 'OUTPUT_NOT_REGULAR'
  | 'IMAGE_REF_INVALID';

/** An error with a stable code and the error that caused it. */
export class OciError extends CodedError<OciErrorCode> {
  override readonly name = 'OciError';
}
