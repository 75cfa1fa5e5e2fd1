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
import { compareVersions } from '../version.ts';
import { DEFAULT_EXCLUSIONS, exclusionSet, RUNTIME_TOOLS } from './exclusions.ts';
import { type Dependency, formatDependency, type PackageRelation, parseDependencies } from './relations.ts';
import { matchesProvided, matchesReal, type Universe } from './universe.ts';

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

const PRIORITY: Record<string, number> = { required: 0, important: 1, standard: 2, optional: 3, extra: 4 };

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

/** Thrown inside a round: retry with `rel` as a hint, or report `failure`. */
class Retry extends Error {
  constructor(
    readonly rel: PackageRelation,
    readonly failure: DebianError,
  ) {
    super(failure.message);
  }
}

function resolveOnce(
  universe: Universe,
  requested: readonly string[],
  options: ResolveOptions,
  hints: ReadonlyMap<string, readonly PackageRelation[]>,
): Resolution {
  const excl = new Map(exclusionSet(options.exclude, options.keep));
  for (const [name, why] of Object.entries(options.leaveOut ?? {})) excl.set(name, why);
  const chosen = new Map<string, { entry: PackageEntry; reason: string[] }>();
  const excluded = new Map<string, { reason: string; neededBy: Exclusion['neededBy'][number][] }>();
  const warnings: string[] = [];
  const queue: string[] = [];
  const arch = universe.arch;
  const hinted = (e: PackageEntry) => (hints.get(e.name) ?? []).every((h) => matchesReal(h, e, arch));

  const choose = (entry: PackageEntry, reason: string[]) => {
    chosen.set(entry.name, { entry, reason });
    queue.push(entry.name);
  };

  for (const req of requested) {
    const [asked, version] = req.split('=', 2) as [string, string | undefined];
    let name = asked;
    let list = universe.byName.get(name);
    // A virtual name with a single provider (libssl3 on trixie is libssl3t64) means that
    // provider, as apt takes it; with several, the user has to choose.
    const providers = [...new Set((universe.providers.get(name) ?? []).map((p) => p.entry.name))].sort();
    if (!list && !version && providers.length === 1) {
      name = providers[0] as string;
      list = universe.byName.get(name);
      warnings.push(`${asked} is a virtual package; selected ${name}, its only provider`);
    }
    const entry = version
      ? list?.find((e) => compareVersions(e.version, version) === 0)
      : (list?.find(hinted) ?? list?.[0]);
    if (!entry) {
      const hint =
        providers.length > 0
          ? ` (it is a virtual package provided by ${providers.join(', ')}; ask for one of those)`
          : '';
      throw new DebianError(
        'DEBIAN_PACKAGE_UNKNOWN',
        `no package ${JSON.stringify(req)} for ${arch} in ${(options.suites ?? []).join(', ') || 'the indexes'}${hint}`,
      );
    }
    const prev = chosen.get(name);
    if (prev && prev.entry !== entry)
      throw new DebianError(
        'DEBIAN_UNSATISFIABLE',
        `${name} is requested at two versions (${prev.entry.version}, ${entry.version})`,
      );
    if (!prev) choose(entry, [name]);
  }

  // Is this dependency already met by what is chosen?
  const satisfied = (dep: Dependency): boolean =>
    dep.some((rel) => {
      const c = chosen.get(rel.name);
      if (c && matchesReal(rel, c.entry, arch)) return true;
      return (universe.providers.get(rel.name) ?? []).some(
        (p) => chosen.get(p.entry.name)?.entry === p.entry && matchesProvided(rel, p.version),
      );
    });

  const exclude = (name: string, by: PackageEntry, dep: Dependency, field: string) => {
    const x = excluded.get(name) ?? { reason: excl.get(name) ?? '', neededBy: [] };
    excluded.set(name, x);
    x.neededBy.push({ package: by.name, dependency: formatDependency(dep), field });
  };

  // Candidates for one alternative: real packages first (highest version), then providers.
  const candidates = (rel: PackageRelation): { entry: PackageEntry; virtual: boolean }[] => {
    const real = (universe.byName.get(rel.name) ?? []).filter((e) => matchesReal(rel, e, arch) && hinted(e));
    const prov = (universe.providers.get(rel.name) ?? [])
      .filter((p) => matchesProvided(rel, p.version))
      .map((p) => p.entry)
      // Providers: not excluded, then by Priority, then by name, then highest version.
      .sort(
        (a, b) =>
          Number(excl.has(a.name)) - Number(excl.has(b.name)) ||
          (PRIORITY[a.field('Priority') ?? 'optional'] ?? 3) -
            (PRIORITY[b.field('Priority') ?? 'optional'] ?? 3) ||
          (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
          compareVersions(b.version, a.version),
      );
    return [
      ...real.map((entry) => ({ entry, virtual: false })),
      ...prov.map((entry) => ({ entry, virtual: true })),
    ];
  };

  while (queue.length > 0) {
    const name = queue.shift() as string;
    const { entry, reason } = chosen.get(name) as { entry: PackageEntry; reason: string[] };
    for (const field of ['Pre-Depends', 'Depends']) {
      const deps = parseDependencies(entry.field(field), `${entry.name} ${field}`);
      for (const dep of deps) {
        if (satisfied(dep)) continue;
        let done = false;
        const tried: string[] = [];
        for (const rel of dep) {
          // An excluded alternative drops the whole dependency: the others are its stand-ins.
          if (excl.has(rel.name)) {
            exclude(rel.name, entry, dep, field);
            done = true;
            break;
          }
          const cands = candidates(rel);
          const usable = cands.filter((c) => {
            const taken = chosen.get(c.entry.name);
            return !taken || taken.entry === c.entry;
          });
          const pick = usable[0];
          if (!pick) {
            tried.push(
              cands.length > 0
                ? `${rel.name}: ${cands.map((c) => `${c.entry.name} ${c.entry.version}`).join(', ')} conflict with what is chosen`
                : `${rel.name}: no ${arch} package${rel.op ? ` with version ${rel.op} ${rel.version}` : ''}`,
            );
            continue;
          }
          if (excl.has(pick.entry.name)) {
            // Providers sort excluded-last, so every provider of this virtual name is excluded.
            if (pick.virtual && !excl.has(rel.name)) {
              const by = [...new Set(usable.map((c) => c.entry.name))].sort().join(', ');
              excl.set(rel.name, `a virtual package whose providers (${by}) are all left out`);
            }
            exclude(pick.virtual ? rel.name : pick.entry.name, entry, dep, field);
            done = true;
            break;
          }
          if (pick.virtual) {
            const names = [...new Set(usable.filter((c) => c.virtual).map((c) => c.entry.name))];
            if (names.length > 1)
              warnings.push(
                `${entry.name}: virtual ${rel.name} has several providers (${names.join(', ')}); chose ${pick.entry.name}`,
              );
          }
          if (!chosen.has(pick.entry.name)) choose(pick.entry, [...reason, pick.entry.name]);
          done = true;
          break;
        }
        if (!done) {
          const failure = new DebianError(
            'DEBIAN_UNSATISFIABLE',
            `cannot satisfy ${entry.name} ${field}: ${formatDependency(dep)} (needed via ${reason.join(' → ')}): ${tried.join('; ')}`,
          );
          // An alternative that an older version of an already-chosen package would satisfy.
          const retry = dep.find((rel) => {
            const taken = chosen.get(rel.name);
            if (!taken || excl.has(rel.name)) return false;
            const known = hints.get(rel.name) ?? [];
            if (known.some((h) => h.op === rel.op && h.version === rel.version && h.arch === rel.arch))
              return false;
            return (universe.byName.get(rel.name) ?? []).some((e) => matchesReal(rel, e, arch) && hinted(e));
          });
          if (retry) throw new Retry(retry, failure);
          throw failure;
        }
      }
    }
  }

  const packages = [...chosen.values()]
    .map(({ entry, reason }) => toResolved(entry, reason))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const exclusions = [...excluded.entries()]
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
