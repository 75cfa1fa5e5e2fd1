/**
 * A catalogue image end to end, for one or more architectures: release indexes → plan →
 * layers → image (an index when several architectures are asked for). With a lock, the plan
 * comes from the lock and no index is read.
 */
import { type BaseImageSpec, checkArches, lookup, type Variant } from '../catalogue/index.ts';
import type { ArchiveContext, VerifiedSuite } from '../debian/index.ts';
import {
  fetchReleases,
  indexIdentity,
  loadSuitePackages,
  RESOLVER_VERSION,
  Universe,
} from '../debian/index.ts';
import { type BaseLockFile, makeBaseLock, planFromBaseLock } from '../lock/index.ts';
import {
  fetchNodeRuntime,
  type NodeArch,
  type NodeRuntimeEvent,
  type NodeRuntimeLock,
  type NpmConfig,
  nodeLibraryPackages,
  resolveNodeRuntimes,
} from '../npm/index.ts';
import {
  type Artifact,
  type Compression,
  canonicalJson,
  createIndex,
  type Image,
  sha256,
} from '../oci/index.ts';
import { type BaseEvent, buildBase } from './base-image.ts';
import { type BasePlan, planBase } from './base-plan.ts';
import type { CachedLayer } from './layer-cache.ts';

export type CatalogueEvent =
  | BaseEvent
  | { type: 'node'; event: NodeRuntimeEvent }
  | { type: 'warning'; message: string };

export interface CatalogueBuildOptions {
  /** `python3`, `static:nonroot`, ... */
  ref: string;
  arches: readonly string[];
  context: ArchiveContext;
  epoch: number;
  slim?: boolean;
  /** Layer compression and level (default gzip at zlib's level 6). */
  compression?: Compression;
  level?: number;
  /** Build exactly what this lock names (no index is read); when absent, resolve and return a new lock. */
  lock?: BaseLockFile;
  /** The npm configuration (registry), needed for nodejsNN only. */
  npm?: () => Promise<NpmConfig>;
  /**
   * More variants built from the same layers at once (a publish builds every variant of an
   * image); each is in `byVariant`. The variant of `ref` is always built.
   */
  variants?: readonly Variant[];
  onEvent?: (e: CatalogueEvent) => void;
}

export interface CatalogueBuild {
  spec: BaseImageSpec;
  variant: Variant;
  artifact: Artifact;
  images: Image[];
  plans: BasePlan[];
  layers: CachedLayer[][];
  /** The kind of each layer of `layers` (root, libc, ..., runtime, jdk, debug), per architecture. */
  kinds: string[][];
  runtimeVersion?: string;
  /** Every variant built (the one of `ref`, and `variants`): its artifact and per-arch images. */
  byVariant: Map<Variant, { artifact: Artifact; images: Image[] }>;
  /** The lock of what was built: the one given, or a new one. */
  lock: BaseLockFile;
}

/** Builds one catalogue image (one variant) for every architecture asked for. */
export async function buildCatalogueImage(o: CatalogueBuildOptions): Promise<CatalogueBuild> {
  const { spec, variant } = lookup(o.ref, o.context.spec.debian);
  checkArches(spec, o.arches);
  const ctx = o.context;
  let npm: Promise<NpmConfig> | undefined;
  const npmConfig = () => {
    npm ??= (o.npm as () => Promise<NpmConfig>)();
    return npm;
  };
  const lock = o.lock;
  const resolved = lock ? undefined : await resolvePlans(o, spec, npmConfig);
  const plans =
    resolved?.plans ??
    o.arches.map((arch) => planFromBaseLock(lock as BaseLockFile, spec.name, arch, ctx.mirrors));
  const variants = [variant, ...(o.variants ?? []).filter((v) => v !== variant)];
  const perVariant = new Map<Variant, Image[]>(variants.map((v) => [v, []]));
  const layers: CachedLayer[][] = [];
  const kinds: string[][] = [];
  let runtimeVersion: string | undefined;
  for (const plan of plans) {
    for (const w of plan.warnings) o.onEvent?.({ type: 'warning', message: w });
    const arch = plan.arch as NodeArch;
    const built = await buildBase(spec, plan, variants, {
      cache: ctx.cache,
      epoch: o.epoch,
      slim: Boolean(o.slim),
      ...(o.compression ? { compression: o.compression } : {}),
      ...(o.level ? { level: o.level } : {}),
      // Called only when the runtime layer is not in the cache already.
      nodeRuntime: async (p) =>
        fetchNodeRuntime(p.node as NodeRuntimeLock, {
          arch,
          cache: ctx.cache,
          config: await npmConfig(),
          onEvent: (event) => o.onEvent?.({ type: 'node', event }),
        }),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    for (const v of variants) perVariant.get(v)?.push(built.images.get(v) as Image);
    layers.push(built.layers);
    kinds.push(built.kinds);
    runtimeVersion ??= built.runtimeVersion;
  }
  const artifactOf = (images: Image[]): Artifact =>
    images.length === 1 ? (images[0] as Image) : createIndex(images, images[0]?.manifest.annotations);
  const byVariant = new Map(
    [...perVariant].map(([v, images]) => [v, { artifact: artifactOf(images), images }]),
  );
  const main = byVariant.get(variant) as { artifact: Artifact; images: Image[] };
  return {
    spec,
    variant,
    artifact: main.artifact,
    images: main.images,
    byVariant,
    plans,
    layers,
    kinds,
    lock:
      lock ??
      makeBaseLock(
        { image: spec.name, debian: spec.debian, architectures: [...o.arches] },
        plans,
        ctx.mirrors.security,
        resolved?.verified,
      ),
    ...(runtimeVersion ? { runtimeVersion } : {}),
  };
}

/** Resolves every architecture against the release's signed indexes (and the npm registry for Node.js). */
async function resolvePlans(
  o: CatalogueBuildOptions,
  spec: BaseImageSpec,
  npmConfig: () => Promise<NpmConfig>,
): Promise<{ plans: BasePlan[]; verified: VerifiedSuite[] }> {
  const cache = o.context.cache;
  // The npm registry and the InRelease files are asked at once. The InRelease files are fetched
  // and verified every time; a plan made from the same signed indexes is taken from the cache
  // instead of parsing them again.
  const [nodeLocks, verified] = await Promise.all([
    (async () => {
      const runtime = spec.runtime;
      if (runtime?.kind !== 'node') return undefined;
      return resolveNodeRuntimes({
        cache,
        major: runtime.major,
        arches: o.arches as NodeArch[],
        config: await npmConfig(),
        onEvent: (event) => o.onEvent?.({ type: 'node', event }),
      });
    })(),
    fetchReleases(o.context.spec, o.context.archive),
  ]);
  const plans: BasePlan[] = [];
  for (const arch of o.arches) {
    const lock = nodeLocks?.[arch as NodeArch];
    const key = `base-plan:${sha256(
      canonicalJson({
        format: 1,
        resolver: RESOLVER_VERSION,
        spec,
        arch,
        node: lock ?? null,
        indexes: verified.flatMap((v) =>
          v.components.map((c) => [v.mirror, v.suite, c, indexIdentity(v, c, arch)]),
        ),
      }),
    )}`;
    const hit = await cache.getJson<BasePlan>(key);
    if (hit) {
      plans.push(hit);
      continue;
    }
    const indexes = await Promise.all(verified.map((v) => loadSuitePackages(v, arch, o.context.archive)));
    const universe = new Universe(
      indexes.flatMap((i) => i.packages),
      arch,
      o.context.spec.suites,
    );
    // The libraries node links (DT_NEEDED) join its layer: read them from the binary itself.
    const node = lock
      ? await fetchNodeRuntime(lock, { arch: arch as NodeArch, cache, config: await npmConfig() })
      : undefined;
    const runtimePackages = node ? nodeLibraryPackages(node.elf.needed).packages : [];
    const plan = planBase(spec, universe, o.context.spec.suites, {
      runtimePackages,
      ...(lock ? { node: lock } : {}),
    });
    await cache.putJson(key, plan);
    plans.push(plan);
  }
  // The suites verified in this run: the lock records their InRelease digests.
  return { plans, verified };
}
