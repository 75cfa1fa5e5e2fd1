/** Node implementations of the effects: HTTP, content-addressed cache, ... */
export * from './cache.ts';
export * from './epoch.ts';
export * from './errors.ts';
export * from './http.ts';
export * from './terminal-text.ts';
