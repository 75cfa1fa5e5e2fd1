/**
 * The native checks: every ELF file the app brings is checked against one architecture's final
 * image — its machine is the image's, its interpreter is there, a musl binary is not put on a
 * glibc base, a Python extension matches the image's Python, and every DT_NEEDED library (and
 * theirs, for libraries the app brings) resolves inside the image as ld.so would find it. A
 * missing library is looked up in Debian's Contents index and its package returned for the
 * build to add; when no package ships it the build stops, naming the library.
 */
import { posix } from 'node:path';
import type { ContentsLookup, LibraryProvider } from '../../../debian/index.ts';
import { type ElfInfo, isElf, readElf } from '../../../elf/index.ts';
import { builtinDirs } from '../../../ldcache/index.ts';
import { AppError } from '../../errors.ts';
import type { NativeCheck, NativeCheckInput, NativeCheckResult } from '../../types.ts';
import { imageRootFs, resolveFile } from './rootfs.ts';
import { type FoundLibrary, librarySearcher } from './search.ts';

/** OCI architecture → Debian architecture (the Contents index and triplets use Debian's). */
const DEBIAN_ARCH: Record<string, string> = {
  amd64: 'amd64',
  arm64: 'arm64',
  arm: 'armhf',
  '386': 'i386',
  ppc64le: 'ppc64el',
  s390x: 's390x',
  riscv64: 'riscv64',
};

/** The Contents lookup for a check (opened lazily: most builds never need it). */
export type LookupFor = (input: NativeCheckInput) => Promise<ContentsLookup> | ContentsLookup;

/** `cpython-311` in `x.cpython-311-x86_64-linux-gnu.so` → `3.11`; abi3 and untagged → undefined. */
export function pythonTag(fileName: string): string | undefined {
  const m = /\.cpython-(\d)(\d+)[a-z]*(?:-[^.]*)?\.so$/.exec(fileName);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

/** Which C library the image's loader is: glibc, musl, or none (a static base). */
function imageLibc(files: NativeCheckInput['files']): 'glibc' | 'musl' | undefined {
  for (const p of files.keys()) {
    const base = p.slice(p.lastIndexOf('/') + 1);
    if (base.startsWith('ld-musl-')) return 'musl';
    if (/^ld-linux[-.]/.test(base) || base === 'libc.so.6') return 'glibc';
  }
  return undefined;
}

/** Picks the provider to add: one on ld.so's default path, named like the library when several. */
export function chooseProvider(
  soname: string,
  providers: readonly LibraryProvider[],
  debianArch: string,
): { chosen?: LibraryProvider; onPath: LibraryProvider[] } {
  const defaults = new Set(builtinDirs(debianArch).map((d) => d.slice(1)));
  // A guess (no verified Contents index) has no directory; it is checked once installed.
  const onPath = providers.filter((p) => defaults.has(p.dir) || p.guessed !== undefined);
  if (onPath.length > 0 && onPath.every((p) => p.guessed !== undefined))
    return { chosen: onPath[0] as LibraryProvider, onPath };
  // libsqlite3.so.0 → libsqlite3-0 / libsqlite30; Debian's t64 renames keep the stem.
  const stem = soname.replace(/\.so(\..*)?$/, '').toLowerCase();
  const named = onPath.filter((p) => p.package.startsWith(stem) && !p.package.endsWith('-dev'));
  const pool = named.length ? named : onPath.filter((p) => !p.package.endsWith('-dev'));
  const chosen = [...(pool.length ? pool : onPath)].sort(
    (a, b) =>
      a.package.length - b.package.length || (a.package < b.package ? -1 : a.package > b.package ? 1 : 0),
  )[0];
  return { ...(chosen ? { chosen } : {}), onPath };
}

/** Makes the native check with a way to open the Contents lookup. */
export function createNativeCheck(lookupFor: LookupFor): NativeCheck {
  return async (input: NativeCheckInput): Promise<NativeCheckResult> => {
    const { plan, arch, files } = input;
    const messages: string[] = [];
    if (plan.elfFiles.length === 0) return { addPackages: [], messages };
    const debianArch = DEBIAN_ARCH[arch] ?? arch;
    const fs = imageRootFs(files, input.readFile);
    const ldLibraryPath = (plan.env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d.startsWith('/'));
    const search = librarySearcher({ fs, debianArch, ldLibraryPath });
    const libc = imageLibc(files);
    const python =
      plan.runtime?.kind === 'python' ? plan.runtime.version.split('.').slice(0, 2).join('.') : undefined;

    // library name → the objects that need it and cannot find it
    const missing = new Map<string, string[]>();
    const seen = new Set<string>();
    const checkObject = async (path: string, source: string, elf: ElfInfo, top: boolean) => {
      if (seen.has(path)) return;
      seen.add(path);
      if (elf.arch !== arch)
        throw new AppError(
          'APP_ELF_WRONG_ARCH',
          `${source} is built for ${elf.machineName} (${elf.arch ?? elf.debianArch ?? 'unknown'}), but the image is ${arch}: rebuild it for ${arch} or build the image with --arch ${elf.arch ?? elf.machineName}`,
        );
      if (top && python) {
        const tag = pythonTag(posix.basename(path));
        if (tag && tag !== python)
          throw new AppError(
            'APP_PYTHON_ABI_MISMATCH',
            `${source} is a Python ${tag} extension module, but the image's Python is ${python}: reinstall the dependencies with Python ${python} (or pick a base with Python ${tag})`,
          );
      }
      if (elf.linkage !== 'dynamic') return;
      if (elf.libc === 'musl' && libc !== 'musl')
        throw new AppError(
          'APP_ELF_MUSL_ON_GLIBC',
          `${source} is linked against musl (interpreter ${elf.interpreter ?? 'none'}), but the base image has ${libc ?? 'no C library'}: build it against glibc, or statically`,
        );
      if (elf.interpreter && !(await resolveFile(fs, elf.interpreter)))
        throw new AppError(
          'APP_ELF_INTERPRETER_MISSING',
          `${source} needs the program interpreter ${elf.interpreter}, which is not in the image${libc ? '' : ' (the base has no C library: use base or cc, or link statically)'}`,
        );
      for (const name of elf.needed) {
        const found: FoundLibrary | undefined = await search.find(name, { path, elf });
        if (!found) {
          const by = missing.get(name) ?? [];
          by.push(path);
          missing.set(name, by);
          continue;
        }
        // Debian's own libraries come with their dependencies; libraries the app brings do not.
        if (!isSystemPath(found.path, debianArch))
          await checkObject(found.path, found.path, found.elf, false);
      }
    };

    for (const f of plan.elfFiles) {
      const bytes = await f.read();
      if (!isElf(bytes)) continue;
      await checkObject(f.path, `${f.source} (${f.path})`, await readElf(bytes), true);
    }
    messages.push(`checked ${plan.elfFiles.length} ELF file(s) for ${arch}: ${seen.size} object(s) in all`);

    const addPackages: NativeCheckResult['addPackages'] = [];
    if (missing.size > 0) {
      const lookup = await lookupFor(input);
      for (const [name, by] of [...missing].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const providers = await lookup.packagesProvidingLibrary(name, debianArch);
        const { chosen, onPath } = chooseProvider(name, providers, debianArch);
        const needers = by.join(', ');
        if (!chosen)
          throw new AppError(
            'APP_LIBRARY_UNAVAILABLE',
            providers.length
              ? `${name} (needed by ${needers}) is not in the image, and the Debian ${input.debian ?? ''} packages that ship it (${providers.map((p) => `${p.package} in /${p.dir}`).join(', ')}) put it outside the library search path: add it with files: or set LD_LIBRARY_PATH`
              : `${name} (needed by ${needers}) is not in the image and no Debian ${input.debian ?? ''} package provides it for ${debianArch}: ship it with the app (next to the binary, with RUNPATH $ORIGIN) or link it statically`,
          );
        if (files.has(`var/lib/dpkg/status.d/${chosen.package}`))
          throw new AppError(
            'APP_LIBRARY_UNAVAILABLE',
            `${name} (needed by ${needers}) is still not found although ${chosen.package}, which ships it in /${chosen.dir}, is in the image`,
          );
        const others = onPath.filter((p) => p.package !== chosen.package).map((p) => p.package);
        const reason = `${chosen.package} provides ${name} for ${needers}${others.length ? ` (also in ${others.join(', ')})` : ''}${chosen.guessed ? ` — ${chosen.guessed}` : ''}`;
        if (!addPackages.some((p) => p.name === chosen.package))
          addPackages.push({ name: chosen.package, reason });
        else {
          const entry = addPackages.find((p) => p.name === chosen.package) as { reason: string };
          entry.reason += `; ${name}`;
        }
      }
    }
    return { addPackages, messages };
  };
}

/** True for the directories Debian's libraries live in (their dependencies are Debian's job). */
function isSystemPath(path: string, debianArch: string): boolean {
  const dir = posix.dirname(path);
  return builtinDirs(debianArch).includes(dir);
}
