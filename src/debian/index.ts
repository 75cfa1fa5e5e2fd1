/** The Debian engine: archive side (mirrors, signed indexes, resolver) and package side (.deb reader). */
// package side: downloads, .deb reader, extraction, merged-/usr, status.d
export * from './deb-reader.ts';
export * from './deb-reader-control.ts';
export * from './download.ts';
export * from './errors-deb.ts';
export * from './extract.ts';
export * from './extract-normalise.ts';
export * from './merged-usr.ts';
export * from './status-d.ts';
export * from './extract-packages.ts';
