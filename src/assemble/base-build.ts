/**
 * A catalogue image end to end, for one or more architectures: release indexes → plan →
 * layers → image (an index when several architectures are asked for).
 */
import { type BaseImageSpec, lookup, type Variant } from '../catalogue/index.ts';
import { type ArchiveContext, loadReleaseIndexes, Universe } from '../debian/index.ts';
import {
  fetchNodeRuntime,
  type NodeArch,
  type NodeRuntimeEvent,
  type NodeRuntimeLock,
  type NpmConfig,
  nodeLibraryPackages,
  resolveNodeRuntimes,
} from '../npm/index.ts';
import { type Artifact, createIndex, type Image } from '../oci/index.ts';
import { type BaseEvent, buildBase } from './base-image.ts';
import { type BasePlan, planBase } from './base-plan.ts';
import type { CachedLayer } from './layer-cache.ts';

export interface CatalogueBuildOptions {
  /** `python3`, `static:nonroot`, ... */
  ref: string;
  arches: readonly string[];
  context: ArchiveContext;
  epoch: number;
  slim?: boolean;
  /** The npm configuration (registry), needed for nodejsNN only. */
  npm?: () => Promise<NpmConfig>;
  onEvent?: (
    e: BaseEvent | { type: 'node'; event: NodeRuntimeEvent } | { type: 'warning'; message: string },
  ) => void;
}

export interface CatalogueBuild {
  spec: BaseImageSpec;
  variant: Variant;
  artifact: Artifact;
  images: Image[];
  plans: BasePlan[];
  layers: CachedLayer[][];
  runtimeVersion?: string;
}

/** Builds one catalogue image (one variant) for every architecture asked for. */
export async function buildCatalogueImage(o: CatalogueBuildOptions): Promise<CatalogueBuild> {
  const { spec, variant } = lookup(o.ref, o.context.spec.debian);
  const cache = o.context.cache;
  let nodeLocks: Record<NodeArch, NodeRuntimeLock> | undefined;
  let npm: NpmConfig | undefined;
  if (spec.runtime?.kind === 'node') {
    npm = await (o.npm as () => Promise<NpmConfig>)();
    nodeLocks = await resolveNodeRuntimes({
      major: spec.runtime.major,
      arches: o.arches as NodeArch[],
      config: npm,
      onEvent: (event) => o.onEvent?.({ type: 'node', event }),
    });
  }
  const images: Image[] = [];
  const plans: BasePlan[] = [];
  const layers: CachedLayer[][] = [];
  let runtimeVersion: string | undefined;
  for (const arch of o.arches) {
    const indexes = await loadReleaseIndexes(o.context.spec, arch, o.context.archive);
    const universe = new Universe(
      indexes.flatMap((i) => i.packages),
      arch,
      o.context.spec.suites,
    );
    const lock = nodeLocks?.[arch as NodeArch];
    const node =
      lock && npm ? await fetchNodeRuntime(lock, { arch: arch as NodeArch, cache, config: npm }) : undefined;
    const runtimePackages = node ? nodeLibraryPackages(node.elf.needed).packages : [];
    const plan = planBase(spec, universe, o.context.spec.suites, {
      runtimePackages,
      ...(lock ? { node: lock } : {}),
    });
    for (const w of plan.warnings) o.onEvent?.({ type: 'warning', message: w });
    const built = await buildBase(spec, plan, [variant], {
      cache,
      epoch: o.epoch,
      slim: Boolean(o.slim),
      ...(node ? { nodeRuntime: async () => node } : {}),
      ...(o.onEvent ? { onEvent: o.onEvent } : {}),
    });
    images.push(built.images.get(variant) as Image);
    plans.push(plan);
    layers.push(built.layers);
    runtimeVersion ??= built.runtimeVersion;
  }
  const artifact =
    images.length === 1 ? (images[0] as Image) : createIndex(images, images[0]?.manifest.annotations);
  return { spec, variant, artifact, images, plans, layers, ...(runtimeVersion ? { runtimeVersion } : {}) };
}
