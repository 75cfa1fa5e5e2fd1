/**
 * distill as a library: distroless images from signed Debian packages, without a Docker engine.
 * A few verbs, after go-containerregistry's crane and sigstore's client: build an image
 * (`buildBase`, `buildApp`, `fromDir`), pin its packages (`lock`), move it between references
 * (`openImage`, `writeImage`, `pull`, `push`) and look at it (`inspect`). References use skopeo's
 * syntax: `oci:DIR[:TAG]`, `docker-archive:FILE[:NAME[:TAG]]`, `docker://HOST/REPO:TAG`.
 *
 * Functions never print; progress and warnings come through `onEvent`. Every effect (environment,
 * cache directory, SOURCE_DATE_EPOCH, HTTP) is an optional field with the CLI's default. Errors are
 * the classes below, each with a string `code` (the one `distill: error CODE:` prints).
 * @module
 * @example
 *   import { fromDir, writeImage, inspect } from 'distill';
 *   const img = await fromDir('rootfs', { config: { entrypoint: ['/hello'] } });
 *   await writeImage(img, 'oci:out/hello:1.0');
 *   (await inspect('oci:out/hello:1.0')).digest === img.descriptor.digest; // true
 */

// The verbs.
export {
  type AppBuild,
  type AppConfig,
  type BuildAppOptions,
  type BuildBaseOptions,
  buildApp,
  buildBase,
  type CatalogueBuild,
  type CatalogueEvent,
} from './api/build.ts';
export type { DebianSource, Effects } from './api/effects.ts';
export { type FromDirConfig, type FromDirOptions, fromDir } from './api/from-dir.ts';
export {
  type ImageRef,
  type InspectOptions,
  type InspectReport,
  inspect,
  openImage,
  type WriteResult,
  writeImage,
} from './api/images.ts';
export { type LockFile, type LockInputs, type LockOptions, lock } from './api/lock.ts';
export {
  type PullOptions,
  type PushOptions,
  pull,
  push,
  type RegistryOptions,
} from './api/registry.ts';
// The error classes: every failure is one of these, with a stable `code`.
export { AppError, type AppErrorCode } from './app/errors.ts';
export { AssembleError, type AssembleErrorCode } from './assemble/errors.ts';
export { CatalogueError, type CatalogueErrorCode } from './catalogue/errors.ts';
export { DebianError, type DebianErrorCode } from './debian/errors.ts';
export { DebError, type DebErrorCode } from './debian/errors-deb.ts';
export { ElfError, type ElfErrorCode } from './elf/errors.ts';
export { LockError, type LockErrorCode } from './lock/errors.ts';
export { NpmError, type NpmErrorCode } from './npm/errors.ts';
// The core OCI model: read-only images, layers and indexes, and the documents they hold.
export type { Digest } from './oci/digest.ts';
export { OciError, type OciErrorCode } from './oci/errors.ts';
export type { Artifact, Blob, Image, Index, Layer } from './oci/image.ts';
export { imagesOf } from './oci/image.ts';
export { type Compression, MediaTypes } from './oci/media-types.ts';
export type {
  ContainerConfig,
  Descriptor,
  HistoryEntry,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  Platform,
} from './oci/types.ts';
export { EpochError } from './platform/epoch.ts';
export { PlatformError, type PlatformErrorCode } from './platform/errors.ts';
export { RegistryError, type RegistryErrorCode } from './registry/errors.ts';
export type { Keychain } from './registry/keychain.ts';
export type { PushResult } from './registry/push.ts';
export { DockerEngineError, type DockerEngineErrorCode, parseImageRef } from './transports/index.ts';
