/** The archive side: where the archive is (mirrors), the trust chain (InRelease, keys, Release), the signed Packages indexes. */
export * from './context.ts';
export * from './deb822.ts';
export { decompress, type IndexCompression } from './decompress.ts';
export * from './http.ts';
export * from './indexes.ts';
export * from './inrelease.ts';
export * from './keys.ts';
export * from './mirror.ts';
export * from './mirror-sources.ts';
export * from './packages-index.ts';
export * from './release.ts';
