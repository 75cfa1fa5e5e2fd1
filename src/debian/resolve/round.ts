/**
 * The steps of one round of resolution (`resolveOnce` in resolve.ts), as functions over the
 * round's state: choose the requested packages, then follow their dependencies breadth-first,
 * meeting each unmet one with its first usable alternative or leaving it out.
 */
import type { PackageEntry } from '../archive/packages-index.ts';
import { DebianError } from '../errors.ts';
import { compareVersions } from '../version.ts';
import { exclusionSet } from './exclusions.ts';
import { type Dependency, formatDependency, type PackageRelation, parseDependencies } from './relations.ts';
import type { Exclusion, ResolveOptions } from './resolve.ts';
import { matchesProvided, matchesReal, type Universe } from './universe.ts';

/** Thrown inside a round: retry with `rel` as a hint, or report `failure`. */
export class Retry extends Error {
  constructor(
    readonly rel: PackageRelation,
    readonly failure: DebianError,
  ) {
    super(failure.message);
  }
}

/** A chosen package, with the chain of names that brought it in. */
interface Chosen {
  entry: PackageEntry;
  reason: string[];
}

/** What one round has decided so far. */
export interface Round {
  readonly universe: Universe;
  readonly options: ResolveOptions;
  /** Older versions to prefer, learnt from earlier rounds. */
  readonly hints: ReadonlyMap<string, readonly PackageRelation[]>;
  readonly arch: string;
  /** Names left out, with why: the exclusion set, the caller's leave-outs, virtual names found to be. */
  readonly excl: Map<string, string>;
  readonly chosen: Map<string, Chosen>;
  readonly excluded: Map<string, { reason: string; neededBy: Exclusion['neededBy'][number][] }>;
  readonly warnings: string[];
  /** Chosen packages whose dependencies are still to be followed. */
  readonly queue: string[];
}

const PRIORITY: Record<string, number> = { required: 0, important: 1, standard: 2, optional: 3, extra: 4 };

/** A round with nothing chosen yet, and the exclusions of `options`. */
export function startRound(
  universe: Universe,
  options: ResolveOptions,
  hints: ReadonlyMap<string, readonly PackageRelation[]>,
): Round {
  const excl = new Map(exclusionSet(options.exclude, options.keep));
  for (const [name, why] of Object.entries(options.leaveOut ?? {})) excl.set(name, why);
  return {
    universe,
    options,
    hints,
    arch: universe.arch,
    excl,
    chosen: new Map(),
    excluded: new Map(),
    warnings: [],
    queue: [],
  };
}

/** True when `e` meets every hint about its name. */
const hinted = (r: Round, e: PackageEntry) =>
  (r.hints.get(e.name) ?? []).every((h) => matchesReal(h, e, r.arch));

/** Chooses `entry` and queues its dependencies. */
function choose(r: Round, entry: PackageEntry, reason: string[]): void {
  r.chosen.set(entry.name, { entry, reason });
  r.queue.push(entry.name);
}

/** Chooses each requested package (`name` or `name=version`); unknown or doubly-versioned ones fail. */
export function chooseRequested(r: Round, requested: readonly string[]): void {
  const { universe, arch } = r;
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
      r.warnings.push(`${asked} is a virtual package; selected ${name}, its only provider`);
    }
    const entry = version
      ? list?.find((e) => compareVersions(e.version, version) === 0)
      : (list?.find((e) => hinted(r, e)) ?? list?.[0]);
    if (!entry) {
      const hint =
        providers.length > 0
          ? ` (it is a virtual package provided by ${providers.join(', ')}; ask for one of those)`
          : '';
      throw new DebianError(
        'DEBIAN_PACKAGE_UNKNOWN',
        `no package ${JSON.stringify(req)} for ${arch} in ${(r.options.suites ?? []).join(', ') || 'the indexes'}${hint}`,
      );
    }
    const prev = r.chosen.get(name);
    if (prev && prev.entry !== entry)
      throw new DebianError(
        'DEBIAN_UNSATISFIABLE',
        `${name} is requested at two versions (${prev.entry.version}, ${entry.version})`,
      );
    if (!prev) choose(r, entry, [name]);
  }
}

/** Follows Pre-Depends and Depends of every chosen package, breadth-first, until none is unmet. */
export function followDependencies(r: Round): void {
  while (r.queue.length > 0) {
    const name = r.queue.shift() as string;
    const from = r.chosen.get(name) as Chosen;
    for (const field of ['Pre-Depends', 'Depends']) {
      const deps = parseDependencies(from.entry.field(field), `${from.entry.name} ${field}`);
      for (const dep of deps) if (!satisfied(r, dep)) satisfyDependency(r, from, dep, field);
    }
  }
}

/** Is this dependency already met by what is chosen? */
function satisfied(r: Round, dep: Dependency): boolean {
  return dep.some((rel) => {
    const c = r.chosen.get(rel.name);
    if (c && matchesReal(rel, c.entry, r.arch)) return true;
    return (r.universe.providers.get(rel.name) ?? []).some(
      (p) => r.chosen.get(p.entry.name)?.entry === p.entry && matchesProvided(rel, p.version),
    );
  });
}

/** Meets an unmet dependency with its first usable alternative; throws (or asks to retry) when none is. */
function satisfyDependency(r: Round, from: Chosen, dep: Dependency, field: string): void {
  const tried: string[] = [];
  for (const rel of dep) {
    const failed = tryAlternative(r, from, dep, field, rel);
    if (failed === undefined) return;
    tried.push(failed);
  }
  throw unsatisfiable(r, from, dep, field, tried);
}

/**
 * Meets `dep` through its alternative `rel`: chooses a candidate, or leaves the dependency out
 * when the alternative is excluded. Returns why it could not, for the error.
 */
function tryAlternative(
  r: Round,
  from: Chosen,
  dep: Dependency,
  field: string,
  rel: PackageRelation,
): string | undefined {
  const { entry, reason } = from;
  // An excluded alternative drops the whole dependency: the others are its stand-ins.
  if (r.excl.has(rel.name)) {
    excludeEdge(r, rel.name, entry, dep, field);
    return undefined;
  }
  const cands = candidates(r, rel);
  const usable = cands.filter((c) => {
    const taken = r.chosen.get(c.entry.name);
    return !taken || taken.entry === c.entry;
  });
  const pick = usable[0];
  if (!pick)
    return cands.length > 0
      ? `${rel.name}: ${cands.map((c) => `${c.entry.name} ${c.entry.version}`).join(', ')} conflict with what is chosen`
      : `${rel.name}: no ${r.arch} package${rel.op ? ` with version ${rel.op} ${rel.version}` : ''}`;
  if (r.excl.has(pick.entry.name)) {
    // Providers sort excluded-last, so every provider of this virtual name is excluded.
    if (pick.virtual && !r.excl.has(rel.name)) {
      const by = [...new Set(usable.map((c) => c.entry.name))].sort().join(', ');
      r.excl.set(rel.name, `a virtual package whose providers (${by}) are all left out`);
    }
    excludeEdge(r, pick.virtual ? rel.name : pick.entry.name, entry, dep, field);
    return undefined;
  }
  if (pick.virtual) {
    const names = [...new Set(usable.filter((c) => c.virtual).map((c) => c.entry.name))];
    if (names.length > 1)
      r.warnings.push(
        `${entry.name}: virtual ${rel.name} has several providers (${names.join(', ')}); chose ${pick.entry.name}`,
      );
  }
  if (!r.chosen.has(pick.entry.name)) choose(r, pick.entry, [...reason, pick.entry.name]);
  return undefined;
}

/** Records that `by`'s dependency `dep` was left out because `name` is excluded. */
function excludeEdge(r: Round, name: string, by: PackageEntry, dep: Dependency, field: string): void {
  const x = r.excluded.get(name) ?? { reason: r.excl.get(name) ?? '', neededBy: [] };
  r.excluded.set(name, x);
  x.neededBy.push({ package: by.name, dependency: formatDependency(dep), field });
}

/** Candidates for one alternative: real packages first (highest version), then providers. */
function candidates(r: Round, rel: PackageRelation): { entry: PackageEntry; virtual: boolean }[] {
  const { excl } = r;
  const real = (r.universe.byName.get(rel.name) ?? []).filter(
    (e) => matchesReal(rel, e, r.arch) && hinted(r, e),
  );
  const prov = (r.universe.providers.get(rel.name) ?? [])
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
}

/**
 * The failure of an unmet dependency: a Retry when an older version of an already-chosen package
 * would meet it (and no earlier round has tried that), else the DebianError itself.
 */
function unsatisfiable(r: Round, from: Chosen, dep: Dependency, field: string, tried: string[]): Error {
  const { entry, reason } = from;
  const failure = new DebianError(
    'DEBIAN_UNSATISFIABLE',
    `cannot satisfy ${entry.name} ${field}: ${formatDependency(dep)} (needed via ${reason.join(' → ')}): ${tried.join('; ')}`,
  );
  const retry = dep.find((rel) => {
    const taken = r.chosen.get(rel.name);
    if (!taken || r.excl.has(rel.name)) return false;
    const known = r.hints.get(rel.name) ?? [];
    if (known.some((h) => h.op === rel.op && h.version === rel.version && h.arch === rel.arch)) return false;
    return (r.universe.byName.get(rel.name) ?? []).some((e) => matchesReal(rel, e, r.arch) && hinted(r, e));
  });
  return retry ? new Retry(retry, failure) : failure;
}
