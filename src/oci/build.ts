/** Pure constructors: an Image from a config and layers, an Index from images. No I/O. */
import { canonicalBytes } from './canonical-json.ts';
import { configBytes } from './config-json.ts';
import { sha256 } from './digest.ts';
import type { Artifact, Image, Index, Layer } from './image.ts';
import { type MediaType, MediaTypes } from './media-types.ts';
import { normalizePlatform } from './platform.ts';
import type { Descriptor, ImageConfig, ImageIndex, ImageManifest, Platform } from './types.ts';

export type ManifestFormat = 'oci' | 'docker';

export interface ImageParts {
  /** The config; its rootfs.diff_ids are replaced by the layers' diffIds. */
  config: Omit<ImageConfig, 'rootfs'> & { rootfs?: ImageConfig['rootfs'] };
  layers: readonly Layer[];
  annotations?: Record<string, string>;
  format?: ManifestFormat;
}

/** An image from its parts: config and manifest serialised canonically, so digests are stable. */
export function createImage(parts: ImageParts): Image {
  const format = parts.format ?? 'oci';
  const config: ImageConfig = {
    ...parts.config,
    rootfs: { type: 'layers', diff_ids: parts.layers.map((l) => l.diffId) },
  };
  const rawConfig = configBytes(config);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: format === 'oci' ? MediaTypes.ociManifest : MediaTypes.dockerManifest,
    config: {
      mediaType: format === 'oci' ? MediaTypes.ociConfig : MediaTypes.dockerConfig,
      digest: sha256(rawConfig),
      size: rawConfig.length,
    },
    layers: parts.layers.map((l) => l.descriptor),
    ...(parts.annotations && Object.keys(parts.annotations).length ? { annotations: parts.annotations } : {}),
  };
  return imageFromRaw(canonicalBytes(manifest), rawConfig, parts.layers, platformOf(config));
}

/** An image over raw documents read from somewhere (a layout, an archive, a registry). */
export function imageFromRaw(
  rawManifest: Buffer,
  rawConfig: Buffer,
  layers: readonly Layer[],
  platform?: Platform,
  mediaType?: MediaType,
): Image {
  const manifest = JSON.parse(rawManifest.toString('utf8')) as ImageManifest;
  const config = JSON.parse(rawConfig.toString('utf8')) as ImageConfig;
  const descriptor: Descriptor = {
    mediaType: mediaType ?? manifest.mediaType ?? MediaTypes.ociManifest,
    digest: sha256(rawManifest),
    size: rawManifest.length,
    ...(platform ? { platform } : {}),
  };
  return { kind: 'image', descriptor, manifest, rawManifest, config, rawConfig, layers };
}

/** The platform an image config declares. */
export function platformOf(config: Pick<ImageConfig, 'os' | 'architecture' | 'variant'>): Platform {
  return normalizePlatform({
    os: config.os,
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
  });
}

/** An index over images (each child's descriptor keeps its platform). OCI index unless told. */
export function createIndex(
  children: readonly Artifact[],
  annotations?: Record<string, string>,
  format: ManifestFormat = 'oci',
): Index {
  const manifest: ImageIndex = {
    schemaVersion: 2,
    mediaType: format === 'oci' ? MediaTypes.ociIndex : MediaTypes.dockerManifestList,
    manifests: children.map((c) => c.descriptor),
    ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
  };
  return indexFromRaw(canonicalBytes(manifest), children);
}

/** An index over raw bytes and already-read children. */
export function indexFromRaw(
  rawManifest: Buffer,
  children: readonly Artifact[],
  mediaType?: MediaType,
): Index {
  const manifest = JSON.parse(rawManifest.toString('utf8')) as ImageIndex;
  const descriptor: Descriptor = {
    mediaType: mediaType ?? manifest.mediaType ?? MediaTypes.ociIndex,
    digest: sha256(rawManifest),
    size: rawManifest.length,
  };
  return { kind: 'index', descriptor, manifest, rawManifest, children };
}

/** A copy of an artifact whose descriptor carries extra annotations (e.g. a layout's ref name). */
export function withDescriptorAnnotations<T extends Artifact>(a: T, annotations: Record<string, string>): T {
  return {
    ...a,
    descriptor: { ...a.descriptor, annotations: { ...a.descriptor.annotations, ...annotations } },
  };
}
