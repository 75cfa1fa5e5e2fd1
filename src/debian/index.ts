/** The Debian engine: archive side (mirrors, signed indexes, resolver) and package side (.deb reader). */
// package side: downloads, .deb reader, extraction, merged-/usr, status.d

export * from './archive.ts';
export * from './archive-context.ts';
export { decompress, type IndexCompression } from './archive-decompress.ts';
export * from './archive-http.ts';
export * from './deb-reader.ts';
export * from './deb-reader-control.ts';
export * from './download.ts';
export * from './errors.ts';
export * from './errors-deb.ts';
export * from './extract.ts';
export * from './extract-normalise.ts';
export * from './extract-packages.ts';
export * from './inrelease.ts';
export * from './keys.ts';
export * from './merged-usr.ts';
export * from './mirror.ts';
export * from './mirror-sources.ts';
export * from './packages-index.ts';
export * from './packages-index-deb822.ts';
export * from './release.ts';
export * from './resolve.ts';
export * from './resolve-exclusions.ts';
export * from './resolve-relations.ts';
export * from './resolve-release.ts';
export * from './status-d.ts';
// archive side: mirrors, trust chain, indexes, versions, resolver
export * from './types.ts';
export * from './version.ts';
