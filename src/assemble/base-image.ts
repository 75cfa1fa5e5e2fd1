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
import { baseAnnotations, runtimeLabels } from './base-annotations.ts';
import type { BasePlan } from './base-plan.ts';
import { baseRun, debugLayer, reported, stackLayer } from './base-stack.ts';
import type { CachedLayer, LayerWriteEvent } from './layer-cache.ts';

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
  runtimeVersion?: string;
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
  const layers: CachedLayer[] = [];
  for (const [i, l] of plan.layers.entries()) layers.push(reported(run, l.kind, await stackLayer(run, i)));
  const debug = variants.some((v) => v.startsWith('debug'))
    ? reported(run, 'debug', await debugLayer(run))
    : undefined;
  const runtimeVersion = runtimeVersionOf(spec, plan);
  return {
    images: variantImages(spec, plan, variants, layers, debug, { epoch: opts.epoch, runtimeVersion }),
    layers: debug ? [...layers, debug] : layers,
    ...(runtimeVersion ? { runtimeVersion } : {}),
  };
}

/** One image per variant: the stack's layers (and the debug layer for debug variants) under its config. */
function variantImages(
  spec: BaseImageSpec,
  plan: BasePlan,
  variants: readonly Variant[],
  layers: readonly CachedLayer[],
  debug: CachedLayer | undefined,
  f: Pick<VariantFlags, 'epoch' | 'runtimeVersion'>,
): Map<Variant, Image> {
  const images = new Map<Variant, Image>();
  for (const v of variants) {
    const isDebug = v.startsWith('debug');
    const nonroot = v.endsWith('nonroot');
    const all = isDebug && debug ? [...layers, debug] : layers;
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
  layers: readonly CachedLayer[],
  f: VariantFlags,
): Image {
  const platform = platformOfDebianArch(plan.arch);
  const base = emptyConfig(platform, f.epoch);
  // Base images without a runtime get a shell entrypoint in debug; runtimes keep theirs (as distroless).
  const entrypoint = spec.entrypoint ? [...spec.entrypoint] : f.isDebug ? ['/busybox/sh'] : undefined;
  const env = [
    `PATH=${DEFAULT_PATH}${f.isDebug ? ':/busybox' : ''}`,
    `SSL_CERT_FILE=${SSL_CERT_FILE}`,
    ...spec.env,
  ];
  const kinds = layers.map((_l, i) => (i < plan.layers.length ? (plan.layers[i]?.kind ?? 'debug') : 'debug'));
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
    layers,
    annotations,
  });
}
