/**
 * A fallback for when a release's Contents index cannot be verified (the mirror serves a
 * Contents file whose hash is not the one the signed Release lists, and no by-hash copy): the
 * package Debian's shared-library naming gives the soname (Policy 8.1: libfoo.so.N → libfooN,
 * libfoo-N when the name ends in a digit, plus the 64-bit time_t transition's `t64`), kept only
 * when the release's signed Packages index has it. Each answer says it is a guess, so the caller
 * reports it and checks the library is really there once the package is installed.
 */
import type { ContentsLookup, LibraryProvider } from './contents-lookup.ts';
import type { DebianError } from './errors.ts';

/** Codes that mean "the Contents index cannot be trusted or had", not "the network is down". */
const UNVERIFIABLE = new Set(['DEBIAN_INDEX_HASH_MISMATCH', 'DEBIAN_NOT_FOUND', 'DEBIAN_INDEX_UNLISTED']);

/** The package names Debian's library naming gives a soname, most likely first. */
export function libraryPackageNames(soname: string): string[] {
  const m = /^(lib[^/]*?)\.so\.(\d+)(\.[\d.]*)?$/.exec(soname);
  if (!m) return [];
  const stem = (m[1] as string).toLowerCase().replace(/_/g, '-');
  const name = /\d$/.test(stem) ? `${stem}-${m[2]}` : `${stem}${m[2]}`;
  return [`${name}t64`, name];
}

/**
 * `primary`, falling back to naming guesses checked against `packageNames(arch)` (the signed
 * Packages index) when the Contents index cannot be verified.
 */
export function withNamingFallback(
  primary: ContentsLookup,
  packageNames: (arch: string) => Promise<ReadonlySet<string>>,
): ContentsLookup {
  return {
    async packagesProvidingLibrary(soname, arch) {
      try {
        return await primary.packagesProvidingLibrary(soname, arch);
      } catch (err) {
        if (!UNVERIFIABLE.has((err as DebianError).code)) throw err;
        const known = await packageNames(arch);
        const why = `guessed from Debian's library package naming and the signed Packages index, because the Contents index could not be verified (${(err as DebianError).code}: ${(err as Error).message.split(':').slice(0, 2).join(':')})`;
        const out: LibraryProvider[] = [];
        for (const name of libraryPackageNames(soname))
          if (known.has(name)) out.push({ package: name, dir: '', guessed: why });
        return out;
      }
    },
  };
}
