/**
 * The Debian engine, in four families: `archive/` (mirrors, the signed trust chain, Packages
 * indexes), `resolve/` (the dependency solver), `deb/` (downloads, the .deb reader, extraction,
 * status.d) and `contents/` (which package ships a library); versions and shared types here.
 */
export * from './archive/index.ts';
export * from './contents/index.ts';
export * from './deb/index.ts';
export * from './errors.ts';
export * from './resolve/index.ts';
export * from './types.ts';
export * from './version.ts';
