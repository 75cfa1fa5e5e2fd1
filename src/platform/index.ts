/** Node implementations of the effects: HTTP, content-addressed cache, processes, concurrency, the clock's epoch. */
export * from './cache.ts';
export * from './concurrency.ts';
export * from './epoch.ts';
export * from './errors.ts';
export * from './http.ts';
export * from './http-get.ts';
export * from './http-revalidate.ts';
export * from './node-fetch.ts';
export * from './retry.ts';
export * from './spawn.ts';
export * from './terminal-text.ts';
