/**
 * Plan of a catalogue image: which exact packages (and Node.js release) go into which layer, for
 * one architecture. Pure data once made: the lockfile stores it and assembly executes it.
 */
import type { BaseImageSpec } from '../catalogue/index.ts';
import { CATALOGUE_EXCLUDE, CatalogueError } from '../catalogue/index.ts';
import type { ResolvedPackage } from '../debian/index.ts';
import { type Exclusion, resolve, toResolved, type Universe } from '../debian/index.ts';
import type { NodeRuntimeLock } from '../npm/index.ts';

// The plan's types live with the lock that stores them (lock/ must not depend on assemble/).
export type { BasePlan, LayerPlan } from '../lock/index.ts';

import type { BasePlan, LayerPlan } from '../lock/index.ts';

/** Extra packages a runtime layer needs that only its binary knows (node's DT_NEEDED). */
export interface PlanExtras {
  runtimePackages?: readonly string[];
  node?: NodeRuntimeLock;
}

/** Resolves every layer of `spec` against a release's packages for one architecture. */
export function planBase(
  spec: BaseImageSpec,
  universe: Universe,
  suites: readonly string[],
  extras: PlanExtras = {},
): BasePlan {
  const arch = universe.arch;
  const below = new Set<string>();
  const roots: string[] = [];
  const layers: LayerPlan[] = [];
  const excluded = new Map<string, Exclusion>();
  const warnings = new Set<string>();
  for (const layer of spec.layers) {
    roots.push(...layer.packages);
    if (layer.kind === 'runtime') roots.push(...(extras.runtimePackages ?? []));
    const r = resolve(universe, roots, {
      arch,
      suites,
      exclude: CATALOGUE_EXCLUDE,
      ...(layer.leaveOut ? { leaveOut: layer.leaveOut } : {}),
    });
    for (const e of r.excluded) excluded.set(e.name, e);
    for (const w of r.warnings) warnings.add(w);
    const added = r.packages.filter((p) => !below.has(p.name));
    for (const p of added) below.add(p.name);
    layers.push({ kind: layer.kind, packages: added });
  }
  const one = (name: string): ResolvedPackage => {
    const e = universe.best(name);
    if (!e)
      throw new CatalogueError(
        'CATALOGUE_PACKAGE_MISSING',
        `debian${spec.debian} ${arch} has no package ${name}`,
      );
    return toResolved(e, [name]);
  };
  return {
    name: spec.name,
    debian: spec.debian,
    arch,
    layers,
    sources: {
      caCertificates: one('ca-certificates'),
      busybox: one('busybox-static'),
      libcBin: one('libc-bin'),
    },
    ...(extras.node ? { node: extras.node } : {}),
    excluded: [...excluded.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    warnings: [...warnings],
  };
}
