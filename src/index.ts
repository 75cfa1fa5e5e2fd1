/**
 * distill as a library: distroless images from signed Debian packages, without a Docker engine.
 * A few verbs, after go-containerregistry's crane and sigstore's client: build an image
 * (`buildBase`, `buildApp`, `fromDir`), pin its packages (`lock`), move it between references
 * (`openImage`, `writeImage`, `pull`, `push`, `publish`), look at it (`inspect`, `audit`, `sbom`) and run it (`run`). References use skopeo's
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

export type { DebianSource, Effects } from './api/index.ts';
// The verbs.
export {
  type AppBuild,
  type AppConfig,
  type AuditReport,
  audit,
  type BuildAppOptions,
  type BuildBaseOptions,
  buildApp,
  buildBase,
  type CatalogueBuild,
  type CatalogueEvent,
  type FromDirConfig,
  type FromDirOptions,
  fromDir,
  type ImageRef,
  type ImageSbom,
  type InspectOptions,
  type InspectReport,
  inspect,
  type LockFile,
  type LockInputs,
  type LockOptions,
  type LookOptions,
  loadVulnDb,
  lock,
  openImage,
  type PublishEvent,
  type PublishOptions,
  type PublishResult,
  type PullOptions,
  type PushedArtifact,
  type PushOptions,
  publish,
  pull,
  push,
  type RegistryOptions,
  type RunImageOptions,
  run,
  type SbomFormat,
  sbom,
  type VulnDb,
  type WriteResult,
  writeImage,
} from './api/index.ts';
// The error classes: every failure is one of these, with a stable `code`.
export { AppError, type AppErrorCode } from './app/index.ts';
export { AssembleError, type AssembleErrorCode } from './assemble/index.ts';
export { CatalogueError, type CatalogueErrorCode } from './catalogue/index.ts';
export { DebError, type DebErrorCode, DebianError, type DebianErrorCode } from './debian/index.ts';
export { ElfError, type ElfErrorCode } from './elf/index.ts';
export { LockError, type LockErrorCode } from './lock/index.ts';
export { NpmError, type NpmErrorCode } from './npm/index.ts';
// The core OCI model: read-only images, layers and indexes, and the documents they hold.
export type {
  Artifact,
  Blob,
  ContainerConfig,
  Descriptor,
  Digest,
  HistoryEntry,
  Image,
  ImageConfig,
  ImageIndex,
  ImageManifest,
  Index,
  Layer,
  Platform,
} from './oci/index.ts';
export { type Compression, imagesOf, MediaTypes, OciError, type OciErrorCode } from './oci/index.ts';
export { EpochError, PlatformError, type PlatformErrorCode } from './platform/index.ts';
export { PublishError, type PublishErrorCode } from './publish/index.ts';
export type { Keychain, PushResult } from './registry/index.ts';
export { RegistryError, type RegistryErrorCode } from './registry/index.ts';
export { RunError, type RunErrorCode } from './run/index.ts';
export { DockerEngineError, type DockerEngineErrorCode, parseImageRef } from './transports/index.ts';
