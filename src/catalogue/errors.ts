/** Errors of the catalogue and of base image assembly. */
export type CatalogueErrorCode =
  | 'CATALOGUE_NAME_UNKNOWN'
  | 'CATALOGUE_VARIANT_UNKNOWN'
  | 'CATALOGUE_ARCH_UNSUPPORTED'
  | 'CATALOGUE_PACKAGE_MISSING'
  | 'CATALOGUE_RUNTIME_LIBRARY_MISSING'
  | 'CATALOGUE_LOCK_MISMATCH';

export class CatalogueError extends Error {
  readonly code: CatalogueErrorCode;
  constructor(code: CatalogueErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CatalogueError';
    this.code = code;
  }
}
