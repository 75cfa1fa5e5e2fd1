/**
 * Lock files: distill.lock (exact package files per architecture, drift against the inputs), a
 * catalogue base's lock (`distill base --lock`), an app's DIR/distill.lock, and the plans they pin.
 */
export * from './app-lock.ts';
export * from './base-lock.ts';
export * from './errors.ts';
export * from './lock.ts';
export * from './plan.ts';
export * from './releases.ts';
export * from './types.ts';
