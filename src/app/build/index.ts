/** An application image on its base: the build's steps (base, packages, files, config, checks) and `distill lock DIR`. */
export * from './build.ts';
export { type GitSource, gitSource, publicRepoUrl } from './git-source.ts';
export { WRITABLE_LABEL } from './image-config.ts';
export * from './lock-project.ts';
