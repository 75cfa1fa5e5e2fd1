/**
 * The base of an application image, one per architecture: a catalogue image built from Debian
 * packages (pinned by the app lock's base section when there is one), or any image reference
 * opened by the caller's `openImage` (oci:DIR, docker-archive:FILE, a registry).
 */
import { buildCatalogueImage, type CatalogueEvent } from '../assemble/base-build.ts';
import type { CachedLayer } from '../assemble/layer-cache.ts';
import { lookup } from '../catalogue/index.ts';
import type { ArchiveContext } from '../debian/index.ts';
import type { DebianRelease } from '../debian/types.ts';
import type { BaseLockFile } from '../lock/base-lock.ts';
import type { NpmConfig } from '../npm/index.ts';
import { type Artifact, type Image, imagesOf } from '../oci/index.ts';
import { AppError } from './errors.ts';

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
  onEvent?: (e: CatalogueEvent) => void;
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

/** Builds or opens the base for every architecture. */
export async function appBase(o: BaseOptions): Promise<AppBase> {
  if (isCatalogueName(o.ref, o.debian)) {
    const b = await buildCatalogueImage({
      ref: o.ref,
      arches: o.archs,
      context: await o.context(),
      epoch: o.epoch,
      ...(o.lock ? { lock: o.lock } : {}),
      ...(o.npm ? { npm: o.npm } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    return {
      images: b.images,
      name: `distill/${b.spec.name}:${b.variant}`,
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
