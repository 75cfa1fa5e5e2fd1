/**
 * ldconfig's directory scan (glibc elf/ldconfig.c search_dir + readlib.c + the architecture's
 * readelflib.c), over a RootFs instead of the host: which files become cache entries, under
 * which name, with which flags.
 */
import { ElfError, type ElfInfo, readElf } from '../elf/index.ts';
import {
  EF_ARM_ABI_FLOAT_HARD,
  EF_ARM_ABI_FLOAT_SOFT,
  EF_ARM_EABI_VER5,
  EF_ARM_EABIMASK,
  EM_386,
  EM_X86_64,
} from '../elf/machine.ts';
import type { ConfDir } from './ld-so-cache-conf.ts';
import { LdCacheError } from './ld-so-cache-errors.ts';
import {
  FLAG_AARCH64_LIB64,
  FLAG_ARM_LIBHF,
  FLAG_ARM_LIBSF,
  FLAG_ELF_LIBC6,
  FLAG_POWERPC_LIB64,
  FLAG_RISCV_FLOAT_ABI_DOUBLE,
  FLAG_RISCV_FLOAT_ABI_SOFT,
  FLAG_S390_LIB64,
  FLAG_X8664_LIB64,
  FLAG_X8664_LIBX32,
  type LdCacheEntry,
  libcmp,
} from './ld-so-cache-format.ts';
import { type RootFs, resolveInRoot } from './ld-so-cache-rootfs.ts';

/** What ldconfig's build for a Debian architecture is like. */
export interface TargetAbi {
  /** The ld.so.cache flags for a library, or undefined when this ldconfig would skip it. */
  flags(elf: ElfInfo): number | undefined;
  bigEndian: boolean;
  signedChar: boolean;
  /** sizeof(ElfW(Ehdr)) of ldconfig's own class: smaller files are skipped. */
  minSize: number;
}

const x86: TargetAbi['flags'] = (e) => {
  if (e.machine === EM_X86_64) return FLAG_ELF_LIBC6 | (e.bits === 64 ? FLAG_X8664_LIB64 : FLAG_X8664_LIBX32);
  if (e.machine === EM_386 && e.bits === 32) return FLAG_ELF_LIBC6;
  return undefined;
};
// glibc's arm/aarch64 readelflib does not look at e_machine, only the class and the EABI bits.
const arm: TargetAbi['flags'] = (e) => {
  if (e.bits === 64) return FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64;
  if ((e.flags & EF_ARM_EABIMASK) >>> 0 !== EF_ARM_EABI_VER5) return FLAG_ELF_LIBC6;
  if (e.flags & EF_ARM_ABI_FLOAT_HARD) return FLAG_ELF_LIBC6 | FLAG_ARM_LIBHF;
  if (e.flags & EF_ARM_ABI_FLOAT_SOFT) return FLAG_ELF_LIBC6 | FLAG_ARM_LIBSF;
  return FLAG_ELF_LIBC6;
};
const lib64 =
  (flag: number): TargetAbi['flags'] =>
  (e) =>
    e.bits === 64 ? FLAG_ELF_LIBC6 | flag : FLAG_ELF_LIBC6;
const riscv: TargetAbi['flags'] = (e) => {
  // EF_RISCV_FLOAT_ABI is bits 1-2; only soft (0) and double (4) are supported, plus RVC (1).
  if (e.flags & ~0x7) return undefined;
  const abi = e.flags & 0x6;
  if (abi === 0) return FLAG_ELF_LIBC6 | FLAG_RISCV_FLOAT_ABI_SOFT;
  if (abi === 4) return FLAG_ELF_LIBC6 | FLAG_RISCV_FLOAT_ABI_DOUBLE;
  return undefined;
};

const TARGETS: Record<string, TargetAbi> = {
  amd64: { flags: x86, bigEndian: false, signedChar: true, minSize: 64 },
  i386: { flags: x86, bigEndian: false, signedChar: true, minSize: 52 },
  arm64: { flags: arm, bigEndian: false, signedChar: false, minSize: 64 },
  armhf: { flags: arm, bigEndian: false, signedChar: false, minSize: 52 },
  armel: { flags: arm, bigEndian: false, signedChar: false, minSize: 52 },
  ppc64el: { flags: lib64(FLAG_POWERPC_LIB64), bigEndian: false, signedChar: false, minSize: 64 },
  s390x: { flags: lib64(FLAG_S390_LIB64), bigEndian: true, signedChar: false, minSize: 64 },
  riscv64: { flags: riscv, bigEndian: false, signedChar: false, minSize: 64 },
};

/** The ldconfig behaviour for a Debian architecture. @throws LdCacheError LDCACHE_ARCH_UNSUPPORTED */
export function targetAbi(arch: string): TargetAbi {
  const t = TARGETS[arch];
  if (!t)
    throw new LdCacheError(
      'LDCACHE_ARCH_UNSUPPORTED',
      `no ld.so.cache rules for architecture ${JSON.stringify(arch)} (known: ${Object.keys(TARGETS).join(', ')})`,
    );
  return t;
}

/** glibc's _dl_is_dso: lib*.so*, ld-*.so*, ld.so.*, ld64.so.*. */
export function isDsoName(name: string): boolean {
  return (
    ((name.startsWith('lib') || name.startsWith('ld-')) && name.includes('.so')) ||
    name.startsWith('ld.so.') ||
    name.startsWith('ld64.so.')
  );
}

/** Temporary files of prelink, rpm and dpkg that ldconfig never looks at. */
function skippedByName(name: string): boolean {
  return (
    name.endsWith('.#prelink#') ||
    /\.#prelink#\.[^/]{6}$/.test(name) ||
    name.includes(';') ||
    name.endsWith('.dpkg-new') ||
    name.endsWith('.dpkg-tmp')
  );
}

/** A file ldconfig looked at and left out, and why. */
export interface Skipped {
  path: string;
  reason: string;
}

interface Dlib {
  name: string;
  soname: string;
  flags: number;
  isLink: boolean;
}

/** Reads the ELF facts of a resolved regular file, or says why ldconfig would skip it. */
async function inspect(fs: RootFs, real: string, size: number, abi: TargetAbi): Promise<ElfInfo | string> {
  if (size < abi.minSize) return 'too small to be a library';
  const src = await fs.open(real);
  try {
    const elf = await readElf(src, { name: real });
    if (elf.type !== 'dyn') return 'not a shared object (ET_DYN)';
    if (elf.endian !== (abi.bigEndian ? 'big' : 'little')) return 'wrong byte order';
    if (!elf.hasDynamic || !elf.hasStringTable) return 'no dynamic section';
    return elf;
  } catch (err) {
    if (err instanceof ElfError && err.code !== 'ELF_READ_FAILED') return `${err.code}: ${err.message}`;
    throw new LdCacheError('LDCACHE_READ_FAILED', `reading ${real} failed: ${(err as Error).message}`, {
      cause: err,
    });
  } finally {
    await src.close?.();
  }
}

/**
 * search_dir for one configured directory: the cache entries it contributes, in the order ldconfig
 * adds them (sorting happens when encoding).
 */
export async function scanDir(
  fs: RootFs,
  dir: ConfDir,
  canonical: string,
  abi: TargetAbi,
  skipped: Skipped[],
) {
  const dlibs: Dlib[] = [];
  const names = (await fs.readdir(canonical)).sort();
  for (const name of names) {
    if (!isDsoName(name) || skippedByName(name)) continue;
    const filePath = `${dir.path}/${name}`;
    const node = await fs.lstat(`${canonical === '/' ? '' : canonical}/${name}`);
    if (!node) continue;
    let isLink = node.type === 'symlink';
    let real = `${canonical === '/' ? '' : canonical}/${name}`;
    let target = node;
    if (isLink) {
      const r = await resolveInRoot(fs, filePath);
      const t = r === undefined ? undefined : await fs.lstat(r);
      if (r === undefined || !t) {
        skipped.push({ path: filePath, reason: 'dangling symlink' });
        continue;
      }
      real = r;
      target = t;
    }
    if (target.type !== 'file') continue;
    const elf = await inspect(fs, real, target.size ?? 0, abi);
    if (typeof elf === 'string') {
      skipped.push({ path: filePath, reason: elf });
      continue;
    }
    const flags = abi.flags(elf);
    if (flags === undefined) {
      skipped.push({
        path: filePath,
        reason: `not for this architecture (${elf.machineName}, ${elf.bits}-bit)`,
      });
      continue;
    }
    let soname = elf.soname ?? name;
    // A link keeps its own name only when it is the soname link or the libfoo.so development link.
    if (isLink && name !== soname && !(name.endsWith('.so') && soname.startsWith(name))) isLink = false;
    if (isLink) soname = name;
    const same = dlibs.find((d) => d.soname === soname);
    if (same) {
      // Prefer a file to a link, otherwise the "newer" name; the first one's flags stay (as in glibc).
      if (
        (!isLink && same.isLink) ||
        (isLink === same.isLink && libcmp(Buffer.from(same.name), Buffer.from(name), abi.signedChar) < 0)
      ) {
        same.name = name;
        same.isLink = isLink;
      }
      continue;
    }
    dlibs.unshift({ name, soname, flags, isLink });
  }
  return dlibs.map(
    (d): LdCacheEntry => ({ name: d.soname, path: `${dir.path}/${d.soname}`, flags: d.flags }),
  );
}
