/**
 * The layer steps of `buildBase`: one layer per box of the plan's stack (root, the package boxes,
 * the runtime) and the debug layer, each taken from the layer cache or written from the packages'
 * contents. Contents are fetched lazily and once: a warm build whose layers are all cached reads
 * no package.
 */
import type { BaseImageSpec } from '../catalogue/index.ts';
import type { ResolvedPackage } from '../debian/index.ts';
import { type PackageContents, packageContents } from '../debian/index.ts';
import type { NodeRuntime } from '../npm/index.ts';
import type { LayerEntry } from '../oci/index.ts';
import type { BaseBuildOptions } from './base-image.ts';
import {
  debugLayerEntries,
  javaBaseLayerEntries,
  jdkLayerEntries,
  packageEntries,
  rootLayerEntries,
  runtimeLayerEntries,
} from './base-layers.ts';
import type { BasePlan, LayerPlan } from './base-plan.ts';
import { type CachedLayer, cachedLayer, type LayerOptions, type LayerWriteEvent } from './layer-cache.ts';
import { withStrippedBinary } from './slim-strip.ts';

/** What the steps of one base build share: its inputs, and the memos of what they fetch. */
export interface BaseRun {
  readonly spec: BaseImageSpec;
  readonly plan: BasePlan;
  readonly opts: BaseBuildOptions;
  /** The contents of these packages, fetched (downloaded and extracted) at most once. */
  contents(pkgs: readonly ResolvedPackage[]): Promise<PackageContents[]>;
  /** The contents of one package. */
  one(p: ResolvedPackage): Promise<PackageContents>;
  /** Layer options that name the layer `kind` in its write events. */
  writing(kind: string): LayerOptions;
  /** The Node.js runtime of a nodejsNN image, fetched at most once; undefined for other images. */
  node(): Promise<NodeRuntime | undefined>;
}

/** The cache-key form of a package: what identifies its bytes. */
export const packageKey = (p: ResolvedPackage) => [p.name, p.version, p.architecture, p.sha256];

/** Sets up the shared state of one base build: memoised contents and runtime, layer options. */
export function baseRun(spec: BaseImageSpec, plan: BasePlan, opts: BaseBuildOptions): BaseRun {
  const memo = new Map<string, Promise<PackageContents[]>>();
  const contents = (pkgs: readonly ResolvedPackage[]) => {
    const k = pkgs.map((p) => p.sha256).join(',');
    let p = memo.get(k);
    if (!p) {
      p = packageContents(pkgs, {
        cache: opts.cache,
        mergedUsr: plan.debian === 13,
        onProgress: (event) => opts.onEvent?.({ type: 'download', event }),
        onExtract: (event) => opts.onEvent?.({ type: 'extract', event }),
      });
      memo.set(k, p);
    }
    return p;
  };
  const layerOpts = {
    mtime: opts.epoch,
    slim: Boolean(opts.slim),
    ...(opts.compression ? { compression: opts.compression } : {}),
    ...(opts.level ? { level: opts.level } : {}),
  };
  let nodeMemo: Promise<NodeRuntime> | undefined;
  return {
    spec,
    plan,
    opts,
    contents,
    one: async (p) => (await contents([p]))[0] as PackageContents,
    writing: (kind) => ({
      ...layerOpts,
      onWrite: (event: LayerWriteEvent) =>
        opts.onEvent?.({ type: 'layer-write', image: spec.name, arch: plan.arch, kind, event }),
    }),
    node: () => {
      if (spec.runtime?.kind !== 'node' || !opts.nodeRuntime) return Promise.resolve(undefined);
      nodeMemo ??= opts.nodeRuntime(plan);
      return nodeMemo;
    },
  };
}

/** Makes (or takes from the cache) the layer of box `i` of the plan's stack. */
export function stackLayer(run: BaseRun, i: number): Promise<CachedLayer> {
  const { plan } = run;
  const l = plan.layers[i] as LayerPlan;
  const key = { kind: l.kind, debian: plan.debian, arch: plan.arch, packages: l.packages.map(packageKey) };
  if (l.kind === 'root') return rootLayer(run, l, key);
  if (l.kind === 'runtime') return runtimeLayer(run, i, key);
  if (l.kind === 'java-base') return javaBaseLayer(run, l, key);
  if (l.kind === 'jdk')
    return cachedLayer(
      run.opts.cache,
      { ...key, image: run.spec.name },
      async () => jdkLayerEntries(run.spec, plan.arch, await run.contents(l.packages)),
      run.writing(l.kind),
    );
  return cachedLayer(
    run.opts.cache,
    key,
    async () => packageEntries(await run.contents(l.packages)),
    run.writing(l.kind),
  );
}

/** The root layer: its packages plus the root files and the CA bundle. */
function rootLayer(run: BaseRun, l: LayerPlan, key: object): Promise<CachedLayer> {
  const { caCertificates } = run.plan.sources;
  return cachedLayer(
    run.opts.cache,
    { ...key, ca: packageKey(caCertificates) },
    async () =>
      rootLayerEntries(run.plan.debian, await run.contents(l.packages), await run.one(caCertificates)),
    run.writing(l.kind),
  );
}

/** java-base's layer: its packages plus the C.utf8 locale and the Java trust store. */
function javaBaseLayer(run: BaseRun, l: LayerPlan, key: object): Promise<CachedLayer> {
  const { caCertificates, libcBin } = run.plan.sources;
  return cachedLayer(
    run.opts.cache,
    { ...key, extras: [packageKey(libcBin), packageKey(caCertificates)] },
    async () =>
      javaBaseLayerEntries(
        await run.contents(l.packages),
        await run.one(libcBin),
        await run.one(caCertificates),
      ),
    run.writing(l.kind),
  );
}

/** The runtime layer (python, java, node): its packages plus what the runtime needs set up. */
function runtimeLayer(run: BaseRun, i: number, key: object): Promise<CachedLayer> {
  const { spec, plan } = run;
  const l = plan.layers[i] as LayerPlan;
  const { caCertificates, libcBin } = plan.sources;
  const libc = plan.layers.flatMap((x) => x.packages).find((p) => p.name === 'libc6');
  const runtimeKey = {
    ...key,
    image: spec.name,
    below: plan.layers.slice(0, i).flatMap((x) => x.packages.map(packageKey)),
    extras: [packageKey(libcBin), packageKey(caCertificates)],
    node: plan.node ? [plan.node.version, plan.node.integrity] : null,
  };
  let nodeBinary: string | undefined;
  return cachedLayer(
    run.opts.cache,
    runtimeKey,
    async () => {
      const rt = await run.node();
      nodeBinary = rt?.node.path;
      return runtimeLayerEntries({
        spec,
        arch: plan.arch,
        packages: await run.contents(l.packages),
        libcBin: await run.one(libcBin),
        ca: await run.one(caCertificates),
        ...(rt ? { node: rt } : {}),
        below: spec.runtime?.kind === 'python' ? await belowEntries(run, i) : [],
        libcVersion: libc?.version ?? '',
      });
    },
    {
      ...run.writing(l.kind),
      slimMore: async (entries) =>
        nodeBinary ? withStrippedBinary(entries, 'nodejs/bin/node', nodeBinary) : { entries, savedBytes: 0 },
    },
  );
}

/** The entries of the boxes below box `upTo` (python's runtime layer compiles against them). */
async function belowEntries(run: BaseRun, upTo: number): Promise<LayerEntry[]> {
  const { plan } = run;
  const out: LayerEntry[] = [];
  for (const [i, l] of plan.layers.entries()) {
    if (i >= upTo) break;
    const c = await run.contents(l.packages);
    out.push(
      ...(l.kind === 'root'
        ? await rootLayerEntries(plan.debian, c, await run.one(plan.sources.caCertificates))
        : packageEntries(c)),
    );
  }
  return out;
}

/** The debug layer: busybox and its applets, on top of the stack of the debug variants. */
export function debugLayer(run: BaseRun): Promise<CachedLayer> {
  const { busybox } = run.plan.sources;
  return cachedLayer(
    run.opts.cache,
    { kind: 'debug', arch: run.plan.arch, busybox: packageKey(busybox) },
    async () => debugLayerEntries(await run.one(busybox), run.plan.arch),
    run.writing('debug'),
  );
}

/** Tells the caller a layer is ready (made or cached), and passes it on. */
export function reported(run: BaseRun, kind: string, layer: CachedLayer): CachedLayer {
  run.opts.onEvent?.({
    type: 'layer',
    image: run.spec.name,
    kind,
    digest: layer.descriptor.digest,
    size: layer.descriptor.size,
    cached: layer.cached,
  });
  return layer;
}
