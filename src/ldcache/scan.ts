/**
 * ldconfig's directory scan (glibc elf/ldconfig.c search_dir + readlib.c + the architecture's
 * readelflib.c), over a RootFs instead of the host: which files become cache entries, under
 * which name, with which flags.
 */
import {
  EF_ARM_ABI_FLOAT_HARD,
  EF_ARM_ABI_FLOAT_SOFT,
  EF_ARM_EABI_VER5,
  EF_ARM_EABIMASK,
  ElfError,
  type ElfInfo,
  EM_386,
  EM_X86_64,
  readElf,
} from '../elf/index.ts';
import type { ConfDir } from './conf.ts';
import { LdCacheError } from './errors.ts';
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
} from './format.ts';
import { type RootFs, resolveInRoot } from './rootfs.ts';

/** What ldconfig's build for a Debian architecture is like. */
export interface TargetAbi {
  /**
   * The ld.so.cache flags for a library given the generic flag glibc computed first, or undefined
   * when this ldconfig would skip the file.
   */
  flags(elf: ElfInfo, generic: number): number | undefined;
  bigEndian: boolean;
  signedChar: boolean;
  /** sizeof(ElfW(Ehdr)) of ldconfig's own class: smaller files are skipped. */
  minSize: number;
  /** Interpreters that tell a glibc before 2.37 the file is for libc6 (or libc5). */
  interpreters: Record<string, number>;
}

const FLAG_ELF = 0x0001;
const FLAG_ELF_LIBC5 = 0x0002;

const x86: TargetAbi['flags'] = (e, generic) => {
  if (e.machine === EM_X86_64) return FLAG_ELF_LIBC6 | (e.bits === 64 ? FLAG_X8664_LIB64 : FLAG_X8664_LIBX32);
  if (e.machine === EM_386 && e.bits === 32) return generic;
  return undefined;
};
// glibc's arm/aarch64 readelflib does not look at e_machine, only the class and the EABI bits.
const arm: TargetAbi['flags'] = (e, generic) => {
  if (e.bits === 64) return FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64;
  if ((e.flags & EF_ARM_EABIMASK) >>> 0 !== EF_ARM_EABI_VER5) return generic;
  if (e.flags & EF_ARM_ABI_FLOAT_HARD) return FLAG_ELF_LIBC6 | FLAG_ARM_LIBHF;
  if (e.flags & EF_ARM_ABI_FLOAT_SOFT) return FLAG_ELF_LIBC6 | FLAG_ARM_LIBSF;
  return FLAG_ELF_LIBC6;
};
const lib64 =
  (flag: number): TargetAbi['flags'] =>
  (e, generic) =>
    e.bits === 64 ? FLAG_ELF_LIBC6 | flag : generic;
const riscv: TargetAbi['flags'] = (e, generic) => {
  // EF_RISCV_FLOAT_ABI is bits 1-2; only soft (0) and double (4) are supported, plus RVC (1).
  if (e.flags & ~0x7) return undefined;
  const abi = e.flags & 0x6;
  if (abi === 0) return generic | FLAG_RISCV_FLOAT_ABI_SOFT;
  if (abi === 4) return generic | FLAG_RISCV_FLOAT_ABI_DOUBLE;
  return undefined;
};

const libc6 = (...paths: string[]) => Object.fromEntries(paths.map((p) => [p, FLAG_ELF_LIBC6]));
const armInterps = libc6('/lib/ld-linux.so.3', '/lib/ld-linux-armhf.so.3');

const TARGETS: Record<string, TargetAbi> = {
  amd64: {
    flags: x86,
    bigEndian: false,
    signedChar: true,
    minSize: 64,
    interpreters: libc6(
      '/lib/ld-linux-x86-64.so.2',
      '/lib/ld-linux.so.2',
      '/libx32/ld-linux-x32.so.2',
      '/lib64/ld-linux-x86-64.so.2',
    ),
  },
  i386: {
    flags: x86,
    bigEndian: false,
    signedChar: true,
    minSize: 52,
    interpreters: { ...libc6('/lib/ld-linux.so.2'), '/lib/ld-linux.so.1': FLAG_ELF_LIBC5 },
  },
  arm64: {
    flags: arm,
    bigEndian: false,
    signedChar: false,
    minSize: 64,
    interpreters: {
      ...libc6('/lib/ld-linux-aarch64.so.1', '/lib/ld-linux-aarch64_be.so.1'),
      ...libc6('/lib/ld-linux-aarch64_ilp32.so.1', '/lib/ld-linux-aarch64_be_ilp32.so.1'),
      ...armInterps,
    },
  },
  armhf: { flags: arm, bigEndian: false, signedChar: false, minSize: 52, interpreters: armInterps },
  armel: { flags: arm, bigEndian: false, signedChar: false, minSize: 52, interpreters: armInterps },
  ppc64el: {
    flags: lib64(FLAG_POWERPC_LIB64),
    bigEndian: false,
    signedChar: false,
    minSize: 64,
    interpreters: libc6('/lib/ld64.so.2', '/lib/ld.so.1', '/lib64/ld64.so.1', '/lib64/ld64.so.2'),
  },
  s390x: {
    flags: lib64(FLAG_S390_LIB64),
    bigEndian: true,
    signedChar: false,
    minSize: 64,
    interpreters: libc6('/lib/ld64.so.1', '/lib/ld.so.1'),
  },
  riscv64: {
    flags: riscv,
    bigEndian: false,
    signedChar: false,
    minSize: 64,
    interpreters: libc6('/lib/ld-linux-riscv64-lp64d.so.1', '/lib/ld-linux-riscv64-lp64.so.1'),
  },
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

/**
 * The flag glibc's generic ELF reader gives before the architecture's override. Since 2.37 it is
 * always libc6; before, a file was plain ELF unless its interpreter or a DT_NEEDED of libc.so.6 /
 * libm.so.6 (libc.so.5 / libm.so.5: libc5, on i386) said otherwise.
 */
export function genericFlag(elf: ElfInfo, abi: TargetAbi, glibcMinor: number, arch: string): number {
  if (glibcMinor >= 37) return FLAG_ELF_LIBC6;
  const byInterp = elf.interpreter === undefined ? undefined : abi.interpreters[elf.interpreter];
  if (byInterp !== undefined) return byInterp;
  for (const n of elf.needed) {
    if (n === 'libc.so.6' || n === 'libm.so.6') return FLAG_ELF_LIBC6;
    if (arch === 'i386' && (n === 'libc.so.5' || n === 'libm.so.5')) return FLAG_ELF_LIBC5;
  }
  return FLAG_ELF;
}

/** glibc's _dl_is_dso: lib*.so*, ld-*.so*, ld.so.*, ld64.so.*. */
export function isDsoName(name: string): boolean {
  return (
    ((name.startsWith('lib') || name.startsWith('ld-')) && name.includes('.so')) ||
    name.startsWith('ld.so.') ||
    name.startsWith('ld64.so.')
  );
}

/** Temporary files ldconfig never looks at: prelink's always, rpm's and dpkg's since glibc 2.39. */
function skippedByName(name: string, glibcMinor: number): boolean {
  if (name.endsWith('.#prelink#') || /\.#prelink#\.[^/]{6}$/.test(name)) return true;
  return glibcMinor >= 39 && (name.includes(';') || name.endsWith('.dpkg-new') || name.endsWith('.dpkg-tmp'));
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

export interface ScanContext {
  abi: TargetAbi;
  arch: string;
  /** glibc 2.x series whose ldconfig is emulated (36 for Debian 12, 41 for Debian 13). */
  glibcMinor: number;
  skipped: Skipped[];
}

/**
 * search_dir for one configured directory: the cache entries it contributes, in the order ldconfig
 * adds them (sorting happens when encoding).
 */
export async function scanDir(fs: RootFs, dir: ConfDir, canonical: string, ctx: ScanContext) {
  const { abi, skipped } = ctx;
  const dlibs: Dlib[] = [];
  const names = (await fs.readdir(canonical)).sort();
  for (const name of names) {
    if (!isDsoName(name) || skippedByName(name, ctx.glibcMinor)) continue;
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
    const flags = abi.flags(elf, genericFlag(elf, abi, ctx.glibcMinor, ctx.arch));
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
