/** The package side: downloads by sha256, the .deb reader, extraction to layer entries, merged-/usr, status.d. */
export * from './control.ts';
export * from './download.ts';
export * from './errors.ts';
export * from './extract.ts';
export * from './extract-packages.ts';
export * from './merged-usr.ts';
export * from './normalise.ts';
export * from './reader.ts';
export * from './status-d.ts';
