/**
 * Extra Debian packages above the base: resolved with their dependencies against the release's
 * signed indexes (or taken exactly from the app lock), minus what the base already has, and
 * written as one cached layer with their dpkg status.d records (so scanners see them).
 */
import { type CachedLayer, cachedLayer, type LayerOptions } from '../../assemble/index.ts';
import { CATALOGUE_EXCLUDE } from '../../catalogue/index.ts';
import type { DebianRelease, ResolvedPackage } from '../../debian/index.ts';
import {
  type ArchiveContext,
  loadReleaseIndexes,
  type PackageContentsOptions,
  packageContents,
  resolve,
  Universe,
} from '../../debian/index.ts';
import type { LockedPackage } from '../../lock/index.ts';
import { locked, unlocked } from '../../lock/index.ts';
import type { LayerEntry } from '../../oci/index.ts';

export interface PackagesLayer {
  layer: CachedLayer;
  packages: ResolvedPackage[];
  locked: LockedPackage[];
}

/** Resolves `roots` for one architecture: the packages the base does not have, sorted by name. */
export async function resolveExtraPackages(
  ctx: ArchiveContext,
  arch: string,
  roots: readonly string[],
  have: ReadonlySet<string>,
): Promise<ResolvedPackage[]> {
  const indexes = await loadReleaseIndexes(ctx.spec, arch, ctx.archive);
  const universe = new Universe(
    indexes.flatMap((i) => i.packages),
    arch,
    ctx.spec.suites,
  );
  const r = resolve(universe, roots, { arch, suites: ctx.spec.suites, exclude: CATALOGUE_EXCLUDE });
  return r.packages.filter((p) => !have.has(p.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The layer of the packages (from the cache when these exact packages were layered before). */
export async function packagesLayer(
  ctx: ArchiveContext,
  pkgs: readonly ResolvedPackage[],
  o: {
    arch: string;
    debian: DebianRelease;
    /** Download and extraction progress. */
    progress?: Pick<PackageContentsOptions, 'onProgress' | 'onExtract'>;
  },
  layerOptions: LayerOptions,
): Promise<PackagesLayer> {
  const key = {
    kind: 'app-packages',
    arch: o.arch,
    debian: o.debian,
    packages: pkgs.map((p) => [p.name, p.version, p.architecture, p.sha256]),
  };
  const layer = await cachedLayer(
    ctx.cache,
    key,
    async (): Promise<LayerEntry[]> => {
      const contents = await packageContents(pkgs, {
        cache: ctx.cache,
        mergedUsr: o.debian === 13,
        ...o.progress,
      });
      return contents.flatMap((c) => [...c.files, ...c.statusD]);
    },
    layerOptions,
  );
  const security = ctx.mirrors.security;
  return { layer, packages: [...pkgs], locked: pkgs.map((p) => locked(p, security)) };
}

/** Locked packages back to downloadable ones, from this machine's mirrors. */
export function fromLock(ctx: ArchiveContext, pkgs: readonly LockedPackage[]): ResolvedPackage[] {
  return pkgs.map((p) => unlocked(p, ctx.mirrors));
}
