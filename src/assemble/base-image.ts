/**
 * Assembly of a catalogue image from its plan: download and extract the planned packages, make
 * (or take from the cache) one layer per box of the stack, and put the config of the variant on
 * top. Lower layers depend only on their own packages, so images share them byte for byte.
 */
import type { BaseImageSpec, Variant } from '../catalogue/index.ts';
import type { DownloadEvent, ExtractEvent, ResolvedPackage } from '../debian/index.ts';
import { type PackageContents, packageContents } from '../debian/index.ts';
import type { NodeRuntime } from '../npm/index.ts';
import {
  type Compression,
  createImage,
  emptyConfig,
  type Image,
  isoTime,
  type LayerEntry,
  parsePlatform,
} from '../oci/index.ts';
import type { Cache } from '../platform/index.ts';
import { debugLayerEntries, packageEntries, rootLayerEntries, runtimeLayerEntries } from './base-layers.ts';
import type { BasePlan } from './base-plan.ts';
import { type CachedLayer, cachedLayer, type LayerWriteEvent } from './layer-cache.ts';
import { withStrippedBinary } from './slim-strip.ts';

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

const key = (p: ResolvedPackage) => [p.name, p.version, p.architecture, p.sha256];

/** Builds the variants of one catalogue image for one architecture. */
export async function buildBase(
  spec: BaseImageSpec,
  plan: BasePlan,
  variants: readonly Variant[],
  opts: BaseBuildOptions,
): Promise<BuiltBase> {
  const wantDebug = variants.some((v) => v.startsWith('debug'));
  const fetchContents = (pkgs: readonly ResolvedPackage[]) =>
    packageContents(pkgs, {
      cache: opts.cache,
      mergedUsr: plan.debian === 13,
      onProgress: (event) => opts.onEvent?.({ type: 'download', event }),
      onExtract: (event) => opts.onEvent?.({ type: 'extract', event }),
    });
  const { caCertificates, libcBin, busybox } = plan.sources;
  const layerOpts = {
    mtime: opts.epoch,
    slim: Boolean(opts.slim),
    ...(opts.compression ? { compression: opts.compression } : {}),
    ...(opts.level ? { level: opts.level } : {}),
  };
  // Each layer's options name it in its write events.
  const writing = (kind: string) => ({
    ...layerOpts,
    onWrite: (event: LayerWriteEvent) =>
      opts.onEvent?.({ type: 'layer-write', image: spec.name, arch: plan.arch, kind, event }),
  });
  const libc = plan.layers.flatMap((l) => l.packages).find((p) => p.name === 'libc6');
  let nodeMemo: Promise<NodeRuntime> | undefined;
  const node = (): Promise<NodeRuntime | undefined> => {
    if (spec.runtime?.kind !== 'node' || !opts.nodeRuntime) return Promise.resolve(undefined);
    nodeMemo ??= opts.nodeRuntime(plan);
    return nodeMemo;
  };

  // Contents are fetched lazily: a warm build whose layers are all cached reads no package.
  const memo = new Map<string, Promise<PackageContents[]>>();
  const contents = (pkgs: readonly ResolvedPackage[]) => {
    const k = pkgs.map((p) => p.sha256).join(',');
    let p = memo.get(k);
    if (!p) {
      p = fetchContents(pkgs);
      memo.set(k, p);
    }
    return p;
  };
  const one = async (p: ResolvedPackage) => (await contents([p]))[0] as PackageContents;

  const layers: CachedLayer[] = [];
  const belowEntries = async (upTo: number): Promise<LayerEntry[]> => {
    const out: LayerEntry[] = [];
    for (const [i, l] of plan.layers.entries()) {
      if (i >= upTo) break;
      const c = await contents(l.packages);
      out.push(
        ...(l.kind === 'root'
          ? await rootLayerEntries(plan.debian, c, await one(caCertificates))
          : packageEntries(c)),
      );
    }
    return out;
  };
  for (const [i, l] of plan.layers.entries()) {
    const base = { kind: l.kind, debian: plan.debian, arch: plan.arch, packages: l.packages.map(key) };
    let layer: CachedLayer;
    if (l.kind === 'root') {
      layer = await cachedLayer(
        opts.cache,
        { ...base, ca: key(caCertificates) },
        async () => rootLayerEntries(plan.debian, await contents(l.packages), await one(caCertificates)),
        writing(l.kind),
      );
    } else if (l.kind === 'runtime') {
      const runtimeKey = {
        ...base,
        image: spec.name,
        below: plan.layers.slice(0, i).flatMap((x) => x.packages.map(key)),
        extras: [key(libcBin), key(caCertificates)],
        node: plan.node ? [plan.node.version, plan.node.integrity] : null,
      };
      let nodeBinary: string | undefined;
      layer = await cachedLayer(
        opts.cache,
        runtimeKey,
        async () => {
          const rt = await node();
          nodeBinary = rt?.node.path;
          const entries = await runtimeLayerEntries({
            spec,
            arch: plan.arch,
            packages: await contents(l.packages),
            libcBin: await one(libcBin),
            ca: await one(caCertificates),
            ...(rt ? { node: rt } : {}),
            below: spec.runtime?.kind === 'python' ? await belowEntries(i) : [],
            libcVersion: libc?.version ?? '',
          });
          return entries;
        },
        {
          ...writing(l.kind),
          slimMore: async (entries) =>
            nodeBinary
              ? withStrippedBinary(entries, 'nodejs/bin/node', nodeBinary)
              : { entries, savedBytes: 0 },
        },
      );
    } else {
      layer = await cachedLayer(
        opts.cache,
        base,
        async () => packageEntries(await contents(l.packages)),
        writing(l.kind),
      );
    }
    layers.push(layer);
    opts.onEvent?.({
      type: 'layer',
      image: spec.name,
      kind: l.kind,
      digest: layer.descriptor.digest,
      size: layer.descriptor.size,
      cached: layer.cached,
    });
  }
  let debug: CachedLayer | undefined;
  if (wantDebug) {
    debug = await cachedLayer(
      opts.cache,
      { kind: 'debug', arch: plan.arch, busybox: key(busybox) },
      async () => debugLayerEntries(await one(busybox), plan.arch),
      writing('debug'),
    );
    opts.onEvent?.({
      type: 'layer',
      image: spec.name,
      kind: 'debug',
      digest: debug.descriptor.digest,
      size: debug.descriptor.size,
      cached: debug.cached,
    });
  }

  const runtimeVersion = runtimeVersionOf(spec, plan);
  const images = new Map<Variant, Image>();
  for (const v of variants) {
    const isDebug = v.startsWith('debug');
    const nonroot = v.endsWith('nonroot');
    const all = isDebug && debug ? [...layers, debug] : layers;
    images.set(v, variantImage(spec, plan, v, all, { nonroot, isDebug, epoch: opts.epoch, runtimeVersion }));
  }
  return {
    images,
    layers: debug ? [...layers, debug] : layers,
    ...(runtimeVersion ? { runtimeVersion } : {}),
  };
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
  const platform = parsePlatform(`linux/${plan.arch}`);
  const base = emptyConfig(platform, f.epoch);
  // Base images without a runtime get a shell entrypoint in debug; runtimes keep theirs (as distroless).
  const entrypoint = spec.entrypoint ? [...spec.entrypoint] : f.isDebug ? ['/busybox/sh'] : undefined;
  const env = [
    `PATH=${DEFAULT_PATH}${f.isDebug ? ':/busybox' : ''}`,
    `SSL_CERT_FILE=${SSL_CERT_FILE}`,
    ...spec.env,
  ];
  const kinds = layers.map((_l, i) => (i < plan.layers.length ? (plan.layers[i]?.kind ?? 'debug') : 'debug'));
  const rt = spec.runtime;
  const annotations: Record<string, string> = {
    'org.opencontainers.image.created': isoTime(f.epoch),
    'org.opencontainers.image.title': `distill/${spec.name}:${variant}`,
    'dev.distill.debian': String(plan.debian),
    ...(f.runtimeVersion ? { 'org.opencontainers.image.version': f.runtimeVersion } : {}),
    ...(rt && f.runtimeVersion
      ? { [`dev.distill.${rt.kind === 'node' ? 'nodejs' : rt.kind}.version`]: f.runtimeVersion }
      : {}),
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
    layers,
    annotations,
  });
}
