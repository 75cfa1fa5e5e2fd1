/**
 * Application images: a project directory detected (`detect/`), planned (types, config,
 * files-plan) and built on a distroless base (`build/`).
 */
export * from './build/index.ts';
export * from './config.ts';
export * from './detect/index.ts';
export * from './errors.ts';
export * from './types.ts';
