/**
 * /etc/ld.so.cache for an image, written without running ldconfig (or qemu for foreign
 * architectures): the image's library directories are scanned the way glibc's `ldconfig -r ROOT`
 * scans them, each library's ELF headers are read with distill's ELF reader, and the cache is
 * encoded in glibc's new format with ldconfig's entry order, string table and generator extension.
 * Python's ctypes.util.find_library needs this file in distroless python3 images.
 *
 * @example
 * const { bytes } = await buildLdSoCache(entriesRootFs(rootfsEntries), {
 *   arch: 'amd64',
 *   libcVersion: '2.41-12',
 * });
 * layerEntries.push(ldSoCacheLayerEntry(bytes));
 */
import type { LayerEntry } from '../oci/index.ts';
import { type ConfDir, ldconfigDirs } from './conf.ts';
import { LdCacheError } from './errors.ts';
import { debianLdconfigGenerator, encodeLdSoCache, type LdCacheEntry, ldconfigOrder } from './format.ts';
import { type RootFs, resolveInRoot } from './rootfs.ts';
import { type Skipped, scanDir, targetAbi } from './scan.ts';

export interface LdSoCacheOptions {
  /** Debian architecture of the image: amd64, arm64, i386, armhf, armel, ppc64el, s390x, riscv64. */
  arch: string;
  /**
   * Debian version of the image's libc6 (e.g. `2.41-12`): gives the generator string and which
   * glibc ldconfig is emulated. One of libcVersion and generator is required.
   */
  libcVersion?: string;
  /** Generator string stored in the cache (default from libcVersion); ld.so ignores it. */
  generator?: string;
  /**
   * glibc series to emulate, `2.36` (Debian 12) or `2.41` (Debian 13): before 2.37 a library that
   * does not link libc.so.6 may get the plain ELF flag, before 2.39 dpkg's temporary files are
   * not skipped. Default: from libcVersion, else from the generator string, else 2.41.
   */
  glibc?: string;
  /**
   * Directories to scan, in order. Default: what ldconfig would scan in this image — the lines of
   * its /etc/ld.so.conf (and includes), then /lib/<triplet>, /usr/lib/<triplet>, /lib, /usr/lib.
   */
  dirs?: readonly string[];
  /** Warnings: directories that are not directories, glibc-hwcaps subdirectories left out, conf lines ignored. */
  onWarning?: (message: string) => void;
}

/** The glibc minor version (2.x) from the options. */
function glibcMinor(opts: LdSoCacheOptions, generator: string): number {
  const fromLibc = opts.libcVersion?.replace(/^\d+:/, '');
  const series = opts.glibc ?? fromLibc ?? /release version (\d+\.\d+)/.exec(generator)?.[1] ?? '2.41';
  const m = /^2\.(\d+)/.exec(series);
  if (!m)
    throw new LdCacheError('LDCACHE_OPTIONS_INVALID', `glibc version ${JSON.stringify(series)} is not 2.x`);
  return Number(m[1]);
}

export interface LdSoCacheResult {
  /** The file's bytes. */
  bytes: Buffer;
  /** The entries in file order. */
  entries: LdCacheEntry[];
  /** Directories scanned, in order, after dropping missing ones and duplicates (same directory by another path). */
  dirs: string[];
  /** Library-looking files left out, and why. */
  skipped: Skipped[];
}

/**
 * Scans the image and encodes its ld.so.cache.
 * @throws LdCacheError LDCACHE_ARCH_UNSUPPORTED, LDCACHE_OPTIONS_INVALID, LDCACHE_READ_FAILED
 */
export async function buildLdSoCache(fs: RootFs, opts: LdSoCacheOptions): Promise<LdSoCacheResult> {
  const abi = targetAbi(opts.arch);
  const generator =
    opts.generator ?? (opts.libcVersion ? debianLdconfigGenerator(opts.libcVersion) : undefined);
  if (generator === undefined)
    throw new LdCacheError('LDCACHE_OPTIONS_INVALID', 'buildLdSoCache needs libcVersion or generator');
  const minor = glibcMinor(opts, generator);
  const warn = opts.onWarning ?? (() => {});
  const configured: ConfDir[] = opts.dirs
    ? opts.dirs
        .map((d) => ({ path: d.replace(/\s+$/, '').replace(/\/+$/, ''), from: 'options' }))
        .filter((d) => d.path)
    : await ldconfigDirs(fs, opts.arch, warn);
  // add_dir_1 + add_single_dir: a directory reached twice (merged /usr: /lib -> usr/lib) keeps its first path.
  const dirs: Array<{ dir: ConfDir; canonical: string }> = [];
  for (const dir of configured) {
    const canonical = await resolveInRoot(fs, dir.path);
    const node = canonical === undefined ? undefined : await fs.lstat(canonical);
    if (canonical === undefined || !node) continue;
    if (dirs.some((d) => d.canonical === canonical)) continue;
    if (node.type !== 'dir') {
      warn(`${dir.path} (from ${dir.from}) is not a directory`);
      continue;
    }
    if (await fs.lstat(`${canonical}/glibc-hwcaps`))
      warn(`${dir.path}/glibc-hwcaps is not scanned: glibc-hwcaps subdirectories are not supported yet`);
    dirs.push({ dir, canonical });
  }
  const skipped: Skipped[] = [];
  const added: LdCacheEntry[] = [];
  const ctx = { abi, arch: opts.arch, glibcMinor: minor, skipped };
  for (const d of dirs) added.push(...(await scanDir(fs, d.dir, d.canonical, ctx)));
  const bytes = encodeLdSoCache(added, {
    generator,
    bigEndian: abi.bigEndian,
    signedChar: abi.signedChar,
  });
  return { bytes, entries: ldconfigOrder(added, abi.signedChar), dirs: dirs.map((d) => d.dir.path), skipped };
}

/** The layer entry for /etc/ld.so.cache (0644 root:root, as ldconfig leaves it). */
export function ldSoCacheLayerEntry(bytes: Buffer): LayerEntry {
  return {
    path: 'etc/ld.so.cache',
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: bytes.length,
    content: () => bytes,
  };
}

export {
  builtinDirs,
  type ConfDir,
  ldconfigDirs,
  MULTIARCH_TRIPLETS,
  readLdSoConf,
} from './conf.ts';
export { LdCacheError, type LdCacheErrorCode } from './errors.ts';
export {
  debianLdconfigGenerator,
  type EncodeOptions,
  encodeLdSoCache,
  FLAG_AARCH64_LIB64,
  FLAG_ELF_LIBC6,
  FLAG_X8664_LIB64,
  type LdCacheEntry,
  ldconfigOrder,
  libcmp,
} from './format.ts';
export { describeFlags, formatLikeLdconfigP, type LdCache, readLdSoCache } from './read.ts';
export {
  dirRootFs,
  entriesRootFs,
  type RootFs,
  type RootFsNode,
  resolveInRoot,
} from './rootfs.ts';
export { isDsoName, type Skipped, type TargetAbi, targetAbi } from './scan.ts';
