/**
 * The base of an application image, one per architecture: a catalogue image built from Debian
 * packages (pinned by the app lock's base section when there is one), or any image reference
 * opened by the caller's `openImage` (oci:DIR, docker-archive:FILE, a registry).
 */

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BASE_IMAGE_FORMAT, type CachedLayer, type CatalogueEvent } from '../../assemble/index.ts';
import { lookup } from '../../catalogue/index.ts';
import type { ArchiveContext, DebianRelease } from '../../debian/index.ts';
import type { BaseLockFile } from '../../lock/index.ts';
import type { NpmConfig } from '../../npm/index.ts';
import {
  type Artifact,
  type Compression,
  canonicalJson,
  type Descriptor,
  type Digest,
  type Image,
  imageFromRaw,
  imagesOf,
  platformOf,
  sha256,
} from '../../oci/index.ts';
import type { Cache } from '../../platform/index.ts';
import { AppError } from '../errors.ts';

export interface AppBase {
  /** One image per architecture, in the order asked for. */
  images: Image[];
  /** For the org.opencontainers.image.base.name annotation. */
  name: string;
  catalogue: boolean;
  /** Debian package names each architecture's base has installed (catalogue bases). */
  packages?: Set<string>[];
  lock?: BaseLockFile;
  /** The catalogue build's layers (cached flags), per architecture. */
  layers?: CachedLayer[][];
  runtimeVersion?: string;
}

export interface BaseOptions {
  ref: string;
  archs: readonly string[];
  debian: DebianRelease;
  context: () => Promise<ArchiveContext>;
  epoch: number;
  lock?: BaseLockFile | undefined;
  npm?: () => Promise<NpmConfig>;
  openImage: (ref: string) => Promise<Artifact>;
  /** Where a pinned base is remembered (skips assembling it on warm builds). */
  cache?: Cache;
  /** A catalogue base's layer compression (default gzip). */
  compression?: Compression;
  level?: number;
  /** A catalogue base built with --slim (docs, man pages, ... left out). */
  slim?: boolean;
  onEvent?: (e: CatalogueEvent) => void;
}

/** The compression fields that are set (gzip's default leaves the cache keys as they were). */
export function layerCompression(o: { compression?: Compression; level?: number }): {
  compression?: Compression;
  level?: number;
} {
  return {
    ...(o.compression && o.compression !== 'gzip' ? { compression: o.compression } : {}),
    ...(o.level ? { level: o.level } : {}),
  };
}

/** True when `ref` names a catalogue image (`nodejs22`, `cc:nonroot`). */
export function isCatalogueName(ref: string, debian: DebianRelease): boolean {
  if (/[/@]/.test(ref) || ref.includes('://')) return false;
  try {
    lookup(ref, debian);
    return true;
  } catch {
    return false;
  }
}

/** What a pinned catalogue base was, remembered in the cache so a warm app build skips assembling it. */
interface RememberedBase {
  name: string;
  packages: string[][];
  runtimeVersion?: string;
  images: { manifest: string; config: string; layers: { descriptor: Descriptor; diffId: Digest }[] }[];
}

/**
 * A catalogue base pinned by a lock is fully determined by (ref, archs, debian, lock, epoch): its
 * manifests and configs are remembered and its layers read straight from the cache's files. The
 * blobs are not re-hashed here — every sink (layout, archive, registry, engine) checks what it
 * copies against the digests — which keeps a warm `distill build` from hashing the whole base.
 */
async function rememberedBase(o: BaseOptions, cache: Cache, key: string): Promise<AppBase | undefined> {
  const r = await cache.getJson<RememberedBase>(key);
  if (!r || r.images.length !== o.archs.length) return undefined;
  const images: Image[] = [];
  for (const img of r.images) {
    const layers = [];
    for (const l of img.layers) {
      const path = cache.path(l.descriptor.digest);
      const st = await stat(path).catch(() => undefined);
      if (st?.size !== l.descriptor.size) return undefined;
      // 1 MiB reads: every sink streams the whole base (the default 64 KiB costs ~2.5x).
      layers.push({
        descriptor: l.descriptor,
        diffId: l.diffId,
        open: async () => createReadStream(path, { highWaterMark: 1 << 20 }),
      });
    }
    const config = Buffer.from(img.config, 'utf8');
    images.push(
      imageFromRaw(Buffer.from(img.manifest, 'utf8'), config, layers, platformOf(JSON.parse(img.config))),
    );
  }
  return {
    images,
    name: r.name,
    catalogue: true,
    packages: r.packages.map((p) => new Set(p)),
    ...(o.lock ? { lock: o.lock } : {}),
    ...(r.runtimeVersion ? { runtimeVersion: r.runtimeVersion } : {}),
  };
}

/** Builds or opens the base for every architecture. */
export async function appBase(o: BaseOptions): Promise<AppBase> {
  if (isCatalogueName(o.ref, o.debian)) {
    const key =
      o.lock && o.cache
        ? `app-base:v1:${sha256(canonicalJson({ format: BASE_IMAGE_FORMAT, ref: o.ref, archs: o.archs, debian: o.debian, epoch: o.epoch, lock: o.lock, ...layerCompression(o), ...(o.slim ? { slim: true } : {}) }))}`
        : undefined;
    if (key && o.cache) {
      const hit = await rememberedBase(o, o.cache, key);
      if (hit) return hit;
    }
    // Loaded only when the base is not remembered: assembling pulls in the Debian and npm modules.
    const { buildCatalogueImage } = await import('../../assemble/index.ts');
    const b = await buildCatalogueImage({
      ref: o.ref,
      arches: o.archs,
      context: await o.context(),
      epoch: o.epoch,
      ...layerCompression(o),
      ...(o.slim ? { slim: true } : {}),
      ...(o.lock ? { lock: o.lock } : {}),
      ...(o.npm ? { npm: o.npm } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    const name = `distill/${b.spec.name}:${b.variant}`;
    const packages = b.plans.map((p) => p.layers.flatMap((l) => l.packages.map((x) => x.name)));
    if (key && o.cache)
      await o.cache.putJson(key, {
        name,
        packages,
        ...(b.runtimeVersion ? { runtimeVersion: b.runtimeVersion } : {}),
        images: b.images.map((i) => ({
          manifest: i.rawManifest.toString('utf8'),
          config: i.rawConfig.toString('utf8'),
          layers: i.layers.map((l) => ({ descriptor: l.descriptor, diffId: l.diffId })),
        })),
      } satisfies RememberedBase);
    return {
      images: b.images,
      name,
      catalogue: true,
      packages: b.plans.map((p) => new Set(p.layers.flatMap((l) => l.packages.map((x) => x.name)))),
      lock: b.lock,
      layers: b.layers,
      ...(b.runtimeVersion ? { runtimeVersion: b.runtimeVersion } : {}),
    };
  }
  const artifact = await o.openImage(o.ref);
  const all = imagesOf(artifact);
  const images = o.archs.map((arch) => {
    const [a, v] = arch.split('/');
    const img = all.find(
      (i) => i.config.architecture === a && (!v || i.config.variant === v) && i.config.os === 'linux',
    );
    if (!img)
      throw new AppError(
        'APP_CONFIG_INVALID',
        `base ${o.ref} has no linux/${arch} image (it has ${all.map((i) => `${i.config.os}/${i.config.architecture}`).join(', ')})`,
      );
    return img;
  });
  return { images, name: o.ref, catalogue: false };
}
