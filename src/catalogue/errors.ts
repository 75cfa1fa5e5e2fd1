/** Errors of the catalogue and of base image assembly. */
import { CodedError } from '../coded-error.ts';
export type CatalogueErrorCode =
  | 'CATALOGUE_NAME_UNKNOWN'
  | 'CATALOGUE_VARIANT_UNKNOWN'
  | 'CATALOGUE_ARCH_UNSUPPORTED'
  | 'CATALOGUE_PACKAGE_MISSING'
  | 'CATALOGUE_RUNTIME_LIBRARY_MISSING'
  | 'CATALOGUE_LOCK_MISMATCH';

export class CatalogueError extends CodedError<CatalogueErrorCode> {
  override readonly name = 'CatalogueError';
}
