/**
 * The dependency resolver: from requested package names to the closed set an image needs.
 *
 * It follows Pre-Depends and Depends (not Recommends/Suggests), tries alternatives left to
 * right, honours version constraints, resolves virtual packages through (versioned) Provides,
 * and picks the highest version across the release's suites. One architecture is resolved at
 * a time, so `:any`/`:native` qualifiers and Multi-Arch reduce to "the package of this arch or
 * `all`". Resolution is greedy breadth-first in request and field order, which makes it
 * deterministic and lets cycles resolve (a package already chosen satisfies later edges).
 * A dependency whose chosen alternative is in the exclusion set is dropped and reported.
 */

import type { PackageEntry } from '../archive/packages-index.ts';
import { DebianError } from '../errors.ts';
import type { ResolvedPackage } from '../types.ts';
import { DEFAULT_EXCLUSIONS, RUNTIME_TOOLS } from './exclusions.ts';
import type { PackageRelation } from './relations.ts';
import { chooseRequested, followDependencies, Retry, type Round, startRound } from './round.ts';
import type { Universe } from './universe.ts';

export { Universe } from './universe.ts';

/** A dependency the resolver left out, and why. */
export interface Exclusion {
  /** The excluded package (or virtual package) name. */
  readonly name: string;
  readonly reason: string;
  /**
   * True when a package may really need it at run time (a program such as a shell or perl, or a
   * package the configuration excluded), as opposed to install-time machinery only.
   */
  readonly runtime: boolean;
  /** Each package that depended on it, with the dependency as written. */
  readonly neededBy: readonly {
    readonly package: string;
    readonly dependency: string;
    readonly field: string;
  }[];
}

/** What resolution produced. */
export interface Resolution {
  /** The chosen packages, sorted by name. */
  readonly packages: readonly ResolvedPackage[];
  /** What was left out, sorted by name. */
  readonly excluded: readonly Exclusion[];
  /** Choices worth a look (several providers of a virtual package, …). */
  readonly warnings: readonly string[];
}

/** Resolver inputs. */
export interface ResolveOptions {
  /** The architecture being resolved (dpkg name). */
  readonly arch: string;
  /** Suite order for ties between identical versions (earlier wins). */
  readonly suites?: readonly string[];
  /** Extra names to leave out (the config's `exclude:`). */
  readonly exclude?: readonly string[];
  /** Default exclusions to keep after all. */
  readonly keep?: readonly string[];
  /**
   * Names left out by a deliberate choice of the caller (the catalogue's), with the reason: not
   * warned about, unlike `exclude`, because whoever chose it has said why the image does not need it.
   */
  readonly leaveOut?: Readonly<Record<string, string>>;
}

/** Resolves `requested` (names, optionally `name=version`) against a universe. */
export function resolve(
  universe: Universe,
  requested: readonly string[],
  options: ResolveOptions,
): Resolution {
  // Greedy resolution takes the highest version first; when a later dependency needs an older
  // one of a package already chosen, start again with that constraint as a hint (a bounded form
  // of backtracking that covers `a: lib` + `b: lib (<< 3)`).
  const hints = new Map<string, PackageRelation[]>();
  for (let round = 0; ; round++) {
    try {
      return resolveOnce(universe, requested, options, hints);
    } catch (err) {
      if (!(err instanceof Retry) || round >= 25) throw err instanceof Retry ? err.failure : err;
      hints.set(err.rel.name, [...(hints.get(err.rel.name) ?? []), err.rel]);
    }
  }
}

/**
 * One round of greedy resolution under `hints` (its steps are in round.ts): choose what is
 * requested, follow the dependencies, then report what was chosen and what was left out.
 */
function resolveOnce(
  universe: Universe,
  requested: readonly string[],
  options: ResolveOptions,
  hints: ReadonlyMap<string, readonly PackageRelation[]>,
): Resolution {
  const round = startRound(universe, options, hints);
  chooseRequested(round, requested);
  followDependencies(round);
  return resolution(round);
}

/** The round's outcome: packages and exclusions sorted by name, with a warning per runtime exclusion. */
function resolution(r: Round): Resolution {
  const { options, warnings } = r;
  const packages = [...r.chosen.values()]
    .map(({ entry, reason }) => toResolved(entry, reason))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const exclusions = [...r.excluded.entries()]
    .map(([name, x]) => {
      const configured =
        (options.exclude ?? []).includes(name) && !(name in DEFAULT_EXCLUSIONS) && !options.leaveOut?.[name];
      return { name, reason: x.reason, runtime: RUNTIME_TOOLS.has(name) || configured, neededBy: x.neededBy };
    })
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const x of exclusions)
    if (x.runtime)
      for (const n of x.neededBy)
        warnings.push(
          `${n.package} depends on ${x.name} (${n.field}: ${n.dependency}), which is left out: ${x.reason}; if ${n.package} runs it, keep it (--keep ${x.name})`,
        );
  return { packages, excluded: exclusions, warnings };
}

/** Turns an index entry into the boundary type handed to downloads. */
export function toResolved(entry: PackageEntry, reason: readonly string[]): ResolvedPackage {
  const filename = entry.field('Filename');
  const sha256 = entry.field('SHA256');
  const size = Number(entry.field('Size'));
  if (!filename || !sha256 || !/^[0-9a-f]{64}$/i.test(sha256) || !Number.isSafeInteger(size))
    throw new DebianError(
      'DEBIAN_INDEX_INVALID',
      `${entry.name} ${entry.version} (${entry.suite}): Filename, Size or SHA256 missing or malformed`,
    );
  return {
    name: entry.name,
    version: entry.version,
    architecture: entry.architecture,
    filename,
    sha256: sha256.toLowerCase(),
    size,
    suite: entry.suite,
    component: entry.component,
    mirror: entry.mirror,
    stanza: entry.raw,
    reason,
  };
}
