/**
 * Finding a DT_NEEDED library inside the final image the way glibc's ld.so does it: DT_RPATH
 * (only when there is no DT_RUNPATH), LD_LIBRARY_PATH, DT_RUNPATH, then the directories the
 * image's ld.so.cache is made from (ld.so.conf, then Debian's built-in /lib/<triplet>,
 * /usr/lib/<triplet>, /lib, /usr/lib). `$ORIGIN` is the directory of the object asking. A file
 * of another machine or class on the way is skipped, as ld.so skips it.
 */
import { posix } from 'node:path';
import { type ElfInfo, readElf } from '../../../elf/index.ts';
import type { RootFs } from '../../../ldcache/index.ts';
import { ldconfigDirs } from '../../../ldcache/index.ts';
import { resolveFile } from './rootfs.ts';

/** What the search knows about the image. */
export interface LibrarySearch {
  fs: RootFs;
  /** Debian architecture of the image (for the built-in directories). */
  debianArch: string;
  /** LD_LIBRARY_PATH of the image config, split. */
  ldLibraryPath: readonly string[];
}

/** The object whose DT_NEEDED is being resolved. */
export interface Requester {
  /** Its absolute path in the image. */
  path: string;
  elf: ElfInfo;
}

/** A library found: where, and its ELF headers (for its own DT_NEEDED). */
export interface FoundLibrary {
  path: string;
  elf: ElfInfo;
}

/** Expands $ORIGIN / ${ORIGIN} and drops entries it cannot expand ($PLATFORM, $LIB are rare). */
export function expandSearchPath(entries: readonly string[], origin: string): string[] {
  return entries
    .map((e) => e.replace(/\$\{ORIGIN\}|\$ORIGIN/g, origin))
    .filter((e) => e !== '' && !e.includes('$'))
    .map((e) => (e.startsWith('/') ? posix.normalize(e) : posix.join(origin, e)));
}

/** Makes a searcher that remembers directory lists and ELF headers across calls. */
export function librarySearcher(ctx: LibrarySearch) {
  let system: Promise<string[]> | undefined;
  const systemDirs = () => {
    system ??= ldconfigDirs(ctx.fs, ctx.debianArch).then((dirs) => dirs.map((d) => d.path));
    return system;
  };
  const headers = new Map<string, Promise<ElfInfo | undefined>>();
  const elfAt = (path: string) => {
    let p = headers.get(path);
    if (!p) {
      p = ctx.fs
        .open(path)
        .then((src) => readElf(src))
        .catch(() => undefined);
      headers.set(path, p);
    }
    return p;
  };

  /** The library `name` as `who` would load it, or undefined. */
  async function find(name: string, who: Requester): Promise<FoundLibrary | undefined> {
    const origin = posix.dirname(who.path);
    const candidates: string[] = [];
    if (name.includes('/')) candidates.push(posix.resolve(origin, name));
    else {
      const dirs = [
        ...(who.elf.runpath.length === 0 ? expandSearchPath(who.elf.rpath, origin) : []),
        ...ctx.ldLibraryPath,
        ...expandSearchPath(who.elf.runpath, origin),
        ...(await systemDirs()),
      ];
      for (const d of dirs) candidates.push(posix.join(d, name));
    }
    for (const c of candidates) {
      const real = await resolveFile(ctx.fs, c);
      if (!real) continue;
      const elf = await elfAt(real);
      if (!elf || elf.machine !== who.elf.machine || elf.bits !== who.elf.bits) continue;
      return { path: real, elf };
    }
    return undefined;
  }
  return { find, elfAt, systemDirs };
}
