/** The resolver: a dependency solver over the signed indexes (relations, exclusions, one release's universe). */
export * from './exclusions.ts';
export * from './from-release.ts';
export * from './relations.ts';
export * from './resolve.ts';
