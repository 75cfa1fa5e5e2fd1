/**
 * The universe the resolver searches: a release's packages for one architecture, by name
 * (highest version first) and by the virtual names they provide.
 */
import type { PackageEntry } from '../archive/packages-index.ts';
import { compareVersions, satisfies } from '../version.ts';
import { type PackageRelation, parseRelation } from './relations.ts';

/** A package providing a virtual name, at a version when the Provides is versioned. */
export interface Provided {
  readonly entry: PackageEntry;
  readonly version: string | undefined;
}

/** An index over a release's packages for one architecture. */
export class Universe {
  readonly byName = new Map<string, PackageEntry[]>();
  readonly providers = new Map<string, Provided[]>();
  constructor(
    entries: Iterable<PackageEntry>,
    readonly arch: string,
    suites: readonly string[] = [],
  ) {
    const rank = (s: string) => {
      const i = suites.indexOf(s);
      return i < 0 ? suites.length : i;
    };
    for (const e of entries) {
      if (e.architecture !== arch && e.architecture !== 'all') continue;
      const list = this.byName.get(e.name);
      if (list) list.push(e);
      else this.byName.set(e.name, [e]);
      if (e.provides)
        for (const alt of e.provides.split(',')) {
          const t = alt.trim();
          if (!t) continue;
          const r = providedOf(t, e.name);
          const p = this.providers.get(r.name);
          if (p) p.push({ entry: e, version: r.version });
          else this.providers.set(r.name, [{ entry: e, version: r.version }]);
        }
    }
    // Highest version first; the same version from an earlier suite first.
    for (const list of this.byName.values())
      if (list.length > 1)
        list.sort((a, b) => compareVersions(b.version, a.version) || rank(a.suite) - rank(b.suite));
  }

  /** The best entry for a name (highest version), or undefined. */
  best(name: string): PackageEntry | undefined {
    return this.byName.get(name)?.[0];
  }
}

// Provides entries are `name` or `name (= version)`; ~70,000 paragraphs are indexed per run, so the
// common unversioned case skips the general relation parser.
function providedOf(text: string, owner: string): { name: string; version: string | undefined } {
  if (/^[a-z0-9][a-z0-9+.-]*$/.test(text)) return { name: text, version: undefined };
  const r = parseRelation(text, `${owner} Provides`);
  return { name: r.name, version: r.op === '=' ? r.version : undefined };
}

/** Does `rel` accept the given real package? */
export function matchesReal(rel: PackageRelation, e: PackageEntry, arch: string): boolean {
  if (
    rel.arch &&
    rel.arch !== 'any' &&
    rel.arch !== 'native' &&
    rel.arch !== arch &&
    e.architecture !== 'all'
  )
    return false;
  return !rel.op || satisfies(e.version, rel.op, rel.version as string);
}

/** Does `rel` accept a package providing it at `version` (undefined: unversioned Provides)? */
export function matchesProvided(rel: PackageRelation, version: string | undefined): boolean {
  if (!rel.op) return true;
  return version !== undefined && satisfies(version, rel.op, rel.version as string);
}
