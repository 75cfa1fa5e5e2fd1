/** An application image on its base: the build's steps (base, packages, files, config, checks) and `distill lock DIR`. */
export * from './build.ts';
export { WRITABLE_LABEL } from './image-config.ts';
export * from './lock-project.ts';
