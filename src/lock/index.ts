/** distill.lock: exact package files per architecture, and drift detection against the config. */
export * from './errors.ts';
export * from './lock.ts';
export * from './types.ts';
