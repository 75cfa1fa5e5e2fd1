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
  parsePlatform,
} from '../oci/index.ts';
import type { Cache } from '../platform/index.ts';
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

/**
 * A Debian version in upstream form, as the runtime's own version string gives it:
 * `21.0.13.1+2-1~deb13u1` → `21.0.13.1` (epoch, Debian revision and build number dropped),
 * `3.13.5-2+deb13u5` → `3.13.5`. JAVA_VERSION carries it, as Temurin's release file and
 * distroless's images do.
 */
export function upstreamVersion(debianVersion: string): string {
  const noEpoch = debianVersion.replace(/^\d+:/, '');
  const dash = noEpoch.lastIndexOf('-');
  const upstream = dash > 0 ? noEpoch.slice(0, dash) : noEpoch;
  return upstream.replace(/[+~].*$/, '');
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
  const platform = parsePlatform(`linux/${plan.arch}`);
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
  const annotations: Record<string, string> = {
    'org.opencontainers.image.created': isoTime(f.epoch),
    'org.opencontainers.image.title': `distill/${spec.name}:${variant}`,
    'dev.distill.debian': String(plan.debian),
    ...(f.runtimeVersion ? { 'org.opencontainers.image.version': f.runtimeVersion } : {}),
    ...(rt && f.runtimeVersion
      ? { [`dev.distill.${rt.kind === 'node' ? 'nodejs' : rt.kind}.version`]: f.runtimeVersion }
      : {}),
    // Next to Debian's version, the upstream one, as distroless's com.google.distroless.java.version.
    ...(javaVersion ? { 'dev.distill.java.upstream-version': javaVersion } : {}),
  };
  return createImage({
    config: {
      ...base,
      config: {
        Env: env,
        User: f.nonroot ? '65532' : '0',
        WorkingDir: f.nonroot ? '/home/nonroot' : '/',
        ...(entrypoint ? { Entrypoint: entrypoint } : {}),
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
