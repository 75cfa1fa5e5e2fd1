/** The base image catalogue (distroless's images) as data. */
export * from './arches.ts';
export * from './busybox-gap.ts';
export * from './catalogue.ts';
export * from './errors.ts';
export * from './types.ts';
