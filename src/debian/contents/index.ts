/** Which Debian package ships a shared library: the signed Contents indexes, parsed and looked up, with a naming fallback. */
export * from './contents.ts';
export * from './guess.ts';
export * from './lookup.ts';
export * from './parse.ts';
