/**
 * docker-archive source and sink (`docker-archive:FILE[:NAME]`): the tar `docker save` writes and
 * `docker load` reads. Errors are OciError with the codes in ../errors.ts.
 * @module
 */
export {
  type DockerManifestEntry,
  type ReadArchiveOptions,
  readArchiveManifest,
  readDockerArchive,
} from './read.ts';
export { canonicalRepoTag, parseRepoTag, type RepoTag, sameRepoTag } from './ref-names.ts';
export {
  type ArchiveEvent,
  type ArchiveImage,
  type ArchiveLayerStorage,
  type WriteArchiveOptions,
  writeDockerArchive,
} from './write.ts';
