/**
 * A fallback for when a release's Contents index cannot be verified (the mirror serves a
 * Contents file whose hash is not the one the signed Release lists, and no by-hash copy): the
 * package Debian's shared-library naming gives the soname (Policy 8.1: libfoo.so.N → libfooN,
 * libfoo-N when the name ends in a digit, plus the 64-bit time_t transition's `t64`), kept only
 * when the release's signed Packages index has it. Each answer says it is a guess, so the caller
 * reports it and checks the library is really there once the package is installed.
 */

import type { DebianError } from '../errors.ts';
import type { ContentsLookup, LibraryProvider } from './lookup.ts';
import type { LibraryTable } from './parse.ts';

/** Codes that mean "the Contents index cannot be trusted or had", not "the network is down". */
const UNVERIFIABLE = new Set(['DEBIAN_INDEX_HASH_MISMATCH', 'DEBIAN_NOT_FOUND', 'DEBIAN_INDEX_UNLISTED']);

/** The package names Debian's library naming gives a soname, most likely first, then its stem. */
export function libraryPackageNames(soname: string): string[] {
  const m = /^(lib[^/]*?)\.so\.(\d+)(\.[\d.]*)?$/.exec(soname);
  if (!m) return [];
  const stem = (m[1] as string).toLowerCase().replace(/_/g, '-');
  const name = /\d$/.test(stem) ? `${stem}-${m[2]}` : `${stem}${m[2]}`;
  // Many packages are off the rule and named by the stem alone (libxml2.so.2 is in `libxml2`).
  return [...new Set([`${name}t64`, name, `${stem}t64`, stem])];
}

/**
 * Finds where (which directory) package `name` ships a file named `soname` for `arch`, by
 * fetching it through the signed chain (Release → Packages → .deb) and listing its files;
 * undefined when it does not ship it.
 */
export type ProveProvider = (name: string, arch: string, soname: string) => Promise<string | undefined>;

/**
 * `primary`, and when the Contents index cannot be verified: candidates from the unverified
 * Contents (a hint) and from Debian's library naming, each kept only when it is in the signed
 * Packages index and — with `prove` — once the package, fetched through the signed chain, is
 * seen to ship the library. The answer says which path was taken.
 */
export function withNamingFallback(
  primary: ContentsLookup,
  packageNames: (arch: string) => Promise<ReadonlySet<string>>,
  prove?: ProveProvider,
): ContentsLookup {
  return {
    async packagesProvidingLibrary(soname, arch) {
      try {
        return await primary.packagesProvidingLibrary(soname, arch);
      } catch (err) {
        if (!UNVERIFIABLE.has((err as DebianError).code)) throw err;
        const known = await packageNames(arch);
        const why = `${(err as DebianError).code}: ${(err as Error).message.split(':').slice(0, 2).join(':')}`;
        const table = (err as { unverifiedTable?: LibraryTable }).unverifiedTable;
        const hinted = (table?.get(soname) ?? []).flatMap((loc) => loc.packages);
        const candidates: { name: string; from: string }[] = [];
        for (const name of hinted) candidates.push({ name, from: 'the unverified Contents index' });
        for (const name of libraryPackageNames(soname))
          candidates.push({ name, from: "Debian's library package naming" });
        const out: LibraryProvider[] = [];
        const tried = new Set<string>();
        for (const c of candidates) {
          if (tried.has(c.name) || !known.has(c.name)) continue;
          tried.add(c.name);
          if (!prove) {
            out.push({
              package: c.name,
              dir: '',
              guessed: `guessed from ${c.from} and the signed Packages index, because the Contents index could not be verified (${why})`,
            });
            continue;
          }
          const dir = await prove(c.name, arch, soname);
          if (dir === undefined) continue;
          out.push({
            package: c.name,
            dir,
            guessed: `named by ${c.from} (the Contents index could not be verified: ${why}) and proven: ${c.name}, fetched through the signed Packages index, ships ${dir}/${soname}`,
          });
          return out;
        }
        return out;
      }
    },
  };
}
