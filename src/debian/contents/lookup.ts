/**
 * "Which Debian package ships libX.so.N?" for a release and architecture, answered from the base
 * suite's Contents indexes (Contents-<arch>.gz plus Contents-all.gz of each component), loaded
 * once per architecture and kept for the lookup's lifetime. Point releases update the base
 * suite's Contents, and -updates/-security ship new versions of the same packages, so the base
 * suite is the one to ask; the resolver then picks the newest version across all suites.
 */
import { type ArchiveOptions, fetchRelease } from '../archive/indexes.ts';
import { DebianError } from '../errors.ts';
import type { ReleaseSpec } from '../types.ts';
import { type ContentsSource, loadContentsLibraries } from './contents.ts';
import { type LibraryTable, mergeLibraryTables } from './parse.ts';

/** One package that ships a library file, and where. */
export interface LibraryProvider {
  /** Package name, e.g. `libsqlite3-0`. */
  readonly package: string;
  /** Directory the file is in, without leading `/`: `usr/lib/x86_64-linux-gnu`; '' when unknown. */
  readonly dir: string;
  /**
   * Set when the answer does not come from a verified Contents index but from Debian's library
   * package naming (see contents-guess.ts): why, for the user. Such a package must be checked
   * once installed.
   */
  readonly guessed?: string;
}

/** The Contents-backed library lookup. */
export interface ContentsLookup {
  /**
   * Every package that ships a file named `soname` under lib/ or usr/lib/ for `arch` (a Debian
   * architecture), sorted by directory then package; [] when none does.
   * @example await lookup.packagesProvidingLibrary('libsqlite3.so.0', 'amd64')
   *   // → [{ package: 'libsqlite3-0', dir: 'usr/lib/x86_64-linux-gnu' }]
   */
  packagesProvidingLibrary(soname: string, arch: string): Promise<LibraryProvider[]>;
}

/** A lookup over a table already in memory (tests, or a caller that loaded it itself). */
export function tableLookup(tables: (arch: string) => Promise<LibraryTable> | LibraryTable): ContentsLookup {
  return {
    async packagesProvidingLibrary(soname, arch) {
      const table = await tables(arch);
      const out: LibraryProvider[] = [];
      for (const loc of table.get(soname) ?? [])
        for (const pkg of loc.packages) out.push({ package: pkg, dir: loc.dir });
      return out;
    },
  };
}

/** The lookup for a release: its base suite's signed Contents indexes, fetched on first use. */
export function contentsLookup(spec: ReleaseSpec, options: ArchiveOptions): ContentsLookup {
  const base = spec.sources.find((s) => s.suites.includes(spec.codename)) ?? spec.sources[0];
  if (!base)
    throw new DebianError('DEBIAN_RELEASE_UNKNOWN', `release ${spec.codename} has no archive source`);
  let released: Promise<ContentsSource> | undefined;
  const source = () => {
    released ??= fetchRelease(base.mirror, spec.codename, options).then(({ release }) => ({
      mirror: base.mirror,
      suite: spec.codename,
      release,
    }));
    released.catch(() => {
      released = undefined;
    });
    return released;
  };
  // Memoised per file, so Contents-all is read once however many architectures are asked for.
  const files = new Map<string, Promise<LibraryTable>>();
  const file = (component: string, arch: string) => {
    const id = `${component}/${arch}`;
    let p = files.get(id);
    if (!p) {
      p = source().then((src) => loadContentsLibraries(src, component, arch, options));
      // A failed load is not remembered: the next call tries again.
      p.catch(() => files.delete(id));
      files.set(id, p);
    }
    return p;
  };
  const perArch = new Map<string, Promise<LibraryTable>>();
  const load = (arch: string) => {
    let p = perArch.get(arch);
    if (!p) {
      // One file at a time: a bad or missing Contents-<arch> stops before the 40 MB
      // Contents-all is fetched, and only one compressed file is in memory at once.
      p = (async () => {
        const tables: LibraryTable[] = [];
        for (const c of base.components) {
          tables.push(await file(c, arch));
          tables.push(await file(c, 'all'));
        }
        return mergeLibraryTables(tables);
      })();
      p.catch(() => perArch.delete(arch));
      perArch.set(arch, p);
    }
    return p;
  };
  return tableLookup(load);
}
