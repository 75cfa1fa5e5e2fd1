/** The library's verbs (what src/index.ts publishes), each delegating to the code the CLI runs. */
export * from './build.ts';
export * from './effects.ts';
export * from './from-dir.ts';
export * from './images.ts';
export * from './lock.ts';
export * from './look.ts';
export * from './publish.ts';
export * from './registry.ts';
export * from './run.ts';
