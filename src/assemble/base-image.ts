/**
 * Assembly of a catalogue image from its plan: download and extract the planned packages, make
 * (or take from the cache) one layer per box of the stack, and put the config of the variant on
 * top. Lower layers depend only on their own packages, so images share them byte for byte.
 */
import type { BaseImageSpec, Variant } from '../catalogue/index.ts';
import type { DownloadEvent, ExtractEvent } from '../debian/index.ts';
import type { NodeRuntime } from '../npm/index.ts';
import {
  type Compression,
  createImage,
  emptyConfig,
  type Image,
  isoTime,
  platformOfDebianArch,
} from '../oci/index.ts';
import type { Cache } from '../platform/index.ts';
import { baseAnnotations, runtimeLabels, upstreamVersion } from './base-annotations.ts';
import type { BasePlan } from './base-plan.ts';
import { baseRun, debugLayer, reported, stackLayer } from './base-stack.ts';
import { type CachedLayer, LAYER_FORMAT, type LayerWriteEvent } from './layer-cache.ts';

/**
 * What an assembled catalogue image is, as a version: bump the suffix whenever a catalogue
 * image's config, manifest or annotations change (its layers are LAYER_FORMAT's). Whatever
 * remembers assembled images (an app build's pinned base) keys on it, so a newer distill never
 * serves an image an older one assembled.
 */
export const BASE_IMAGE_FORMAT = `${LAYER_FORMAT}/image-2`;

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const SSL_CERT_FILE = '/etc/ssl/certs/ca-certificates.crt';

export type BaseEvent =
  | { type: 'download'; event: DownloadEvent }
  | { type: 'extract'; event: ExtractEvent }
  | { type: 'layer-write'; image: string; arch: string; kind: string; event: LayerWriteEvent }
  | { type: 'layer'; image: string; kind: string; digest: string; size: number; cached: boolean };

export interface BaseBuildOptions {
  cache: Cache;
  /** SOURCE_DATE_EPOCH. */
  epoch: number;
  compression?: Compression;
  /** Compression level (gzip 1–9, zstd 1–19); default: the compressor's own. */
  level?: number;
  /** Leave out docs, man pages, changelogs, lintian overrides, translations (copyrights stay). */
  slim?: boolean;
  /** Fetches Node.js for nodejsNN when the cache lacks it (the plan pins the release). */
  nodeRuntime?: (plan: BasePlan) => Promise<NodeRuntime>;
  onEvent?: (e: BaseEvent) => void;
}

export interface BuiltBase {
  /** Every variant asked for, by name. */
  images: Map<Variant, Image>;
  layers: CachedLayer[];
  /** The kind of each of `layers` (`root` … `runtime`, `jdk`, `debug`). */
  kinds: string[];
  runtimeVersion?: string;
}

/** A layer of the stack with its kind. */
interface KindedLayer {
  kind: string;
  layer: CachedLayer;
  /** Only in the debug variants (the JDK of javaNN:debug). */
  debugOnly: boolean;
}

/**
 * Builds the variants of one catalogue image for one architecture. The steps: set up the shared
 * state, make the stack's layers bottom first, the debug layer when a debug variant is asked
 * for, then one image per variant over them.
 */
export async function buildBase(
  spec: BaseImageSpec,
  plan: BasePlan,
  variants: readonly Variant[],
  opts: BaseBuildOptions,
): Promise<BuiltBase> {
  const run = baseRun(spec, plan, opts);
  const anyDebug = variants.some((v) => v.startsWith('debug'));
  const layers: KindedLayer[] = [];
  for (const [i, l] of plan.layers.entries()) {
    const debugOnly = Boolean(spec.layers.find((s) => s.kind === l.kind)?.debugOnly);
    if (debugOnly && !anyDebug) continue; // the JDK is fetched only for a debug variant
    layers.push({ kind: l.kind, layer: reported(run, l.kind, await stackLayer(run, i)), debugOnly });
  }
  if (anyDebug)
    layers.push({ kind: 'debug', layer: reported(run, 'debug', await debugLayer(run)), debugOnly: true });
  const runtimeVersion = runtimeVersionOf(spec, plan);
  return {
    images: variantImages(spec, plan, variants, layers, { epoch: opts.epoch, runtimeVersion }),
    layers: layers.map((l) => l.layer),
    kinds: layers.map((l) => l.kind),
    ...(runtimeVersion ? { runtimeVersion } : {}),
  };
}

/** One image per variant: the stack's layers (and the debug layer for debug variants) under its config. */
function variantImages(
  spec: BaseImageSpec,
  plan: BasePlan,
  variants: readonly Variant[],
  layers: readonly KindedLayer[],
  f: Pick<VariantFlags, 'epoch' | 'runtimeVersion'>,
): Map<Variant, Image> {
  const images = new Map<Variant, Image>();
  for (const v of variants) {
    const isDebug = v.startsWith('debug');
    const nonroot = v.endsWith('nonroot');
    const all = isDebug ? layers : layers.filter((l) => !l.debugOnly);
    images.set(v, variantImage(spec, plan, v, all, { ...f, nonroot, isDebug }));
  }
  return images;
}

function runtimeVersionOf(spec: BaseImageSpec, plan: BasePlan): string | undefined {
  const rt = spec.runtime;
  if (!rt) return undefined;
  if (rt.kind === 'node') return plan.node?.version;
  const name = rt.kind === 'python' ? `python${rt.version}-minimal` : `openjdk-${rt.version}-jre-headless`;
  return plan.layers.flatMap((l) => l.packages).find((p) => p.name === name)?.version;
}

interface VariantFlags {
  nonroot: boolean;
  isDebug: boolean;
  epoch: number;
  runtimeVersion: string | undefined;
}

function variantImage(
  spec: BaseImageSpec,
  plan: BasePlan,
  variant: Variant,
  kinded: readonly KindedLayer[],
  f: VariantFlags,
): Image {
  const platform = platformOfDebianArch(plan.arch);
  const base = emptyConfig(platform, f.epoch);
  // Base images without a runtime get a shell entrypoint in debug; runtimes keep theirs (as distroless).
  const entrypoint = spec.entrypoint ? [...spec.entrypoint] : f.isDebug ? ['/busybox/sh'] : undefined;
  const rt = spec.runtime;
  const javaVersion = rt?.kind === 'java' && f.runtimeVersion ? upstreamVersion(f.runtimeVersion) : undefined;
  const env = [
    `PATH=${DEFAULT_PATH}${f.isDebug ? ':/busybox' : ''}`,
    `SSL_CERT_FILE=${SSL_CERT_FILE}`,
    ...spec.env,
    // As distroless sets it (the JRE's release file has the same JAVA_VERSION).
    ...(javaVersion ? [`JAVA_VERSION=${javaVersion}`] : []),
  ];
  const kinds = kinded.map((l) => l.kind);
  const labels = runtimeLabels(spec, plan);
  const annotations: Record<string, string> = {
    'org.opencontainers.image.created': isoTime(f.epoch),
    'org.opencontainers.image.title': `distill/${spec.name}:${variant}`,
    ...baseAnnotations(spec, plan),
    'dev.distill.debian': String(plan.debian),
    ...labels,
  };
  return createImage({
    config: {
      ...base,
      config: {
        Env: env,
        User: f.nonroot ? '65532' : '0',
        WorkingDir: f.nonroot ? '/home/nonroot' : '/',
        ...(entrypoint ? { Entrypoint: entrypoint } : {}),
        // The runtime's version where `docker inspect` shows it; org.opencontainers.* stay in the
        // manifest, so an application image on this base does not inherit them.
        ...(Object.keys(labels).length ? { Labels: labels } : {}),
      },
      history: kinds.map((k) => ({
        created: base.created as string,
        created_by: `distill base ${spec.name}: ${k} layer`,
      })),
    },
    layers: kinded.map((l) => l.layer),
    annotations,
  });
}
