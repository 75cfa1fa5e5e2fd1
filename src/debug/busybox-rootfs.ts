/**
 * The debug shell's root filesystem: the busybox of the debug variants (Debian's busybox-static,
 * the /busybox tree `busyboxLayer` makes for the `:debug` images) laid out as a directory in the
 * cache, `<cache>/rootfs/debug-busybox-<sha256 of the .deb>/`, plus the empty mount points runc
 * mounts over (so runc never writes into the cached tree; the container's root is read-only).
 *
 * The first use resolves busybox-static in the release's signed indexes and downloads it through
 * distill's Debian code (InRelease → Packages → .deb, every hash checked); a record in the cache
 * then names the tree, and later uses read no index. Each use re-hashes the busybox binary against
 * the record (a tree that fails is laid out again from the cached package). `refresh` resolves again.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { busyboxLayer } from '../assemble/index.ts';
import {
  cachedExtraction,
  fetchReleases,
  layerEntries,
  loadSuitePackages,
  openArchiveContext,
  packageContents,
  toResolved,
  Universe,
} from '../debian/index.ts';
import { holdTemp, sweepTemps, tempPath } from '../files/index.ts';
import type { LayerEntry } from '../oci/index.ts';
import { type Cache, cacheRoot, openCache } from '../platform/index.ts';
import { DebugError } from './errors.ts';

/** Mount points of the debug bundle (bundle.ts), made empty in the tree. */
export const ROOTFS_DIRS = ['proc', 'dev', 'tmp', 'etc'] as const;
export const ROOTFS_FILES = ['etc/hosts', 'etc/resolv.conf'] as const;

export interface BusyboxRootfs {
  /** The tree (read-only for everyone: it is shared by every debug session). */
  dir: string;
  /** busybox-static's Debian version. */
  version: string;
  /** Whether the record and tree were there already (no index was read). */
  cached: boolean;
}

export interface BusyboxRootfsOptions {
  env: NodeJS.ProcessEnv;
  /** Debian release of the busybox (the debug variants' default: 13). */
  debian: 12 | 13;
  /** Debian architecture of this machine (the shell runs natively). */
  arch: string;
  /** Resolve the package again even when a tree is recorded. */
  refresh?: boolean;
  cache?: Cache;
}

interface Recorded {
  version: string;
  /** The .deb's sha256 (hex). */
  deb: string;
  /** sha256 (hex) of /busybox/busybox. */
  binary: string;
}

const recordKey = (o: BusyboxRootfsOptions) => `debug-busybox-rootfs:v1:debian${o.debian}:${o.arch}`;
const treeOf = (cache: Cache, deb: string) => join(cache.root, 'rootfs', `debug-busybox-${deb}`);
const hex = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The Debian architecture of this machine. */
export function hostDebianArch(arch: string = process.arch): string {
  return (
    (
      {
        x64: 'amd64',
        arm64: 'arm64',
        arm: 'armhf',
        ia32: 'i386',
        ppc64: 'ppc64el',
        s390x: 's390x',
        riscv64: 'riscv64',
      } as Record<string, string>
    )[arch] ?? arch
  );
}

/** Whether `dir` holds the recorded binary and its `sh` link. */
async function treeIntact(dir: string, binary: string): Promise<boolean> {
  try {
    if (hex(await readFile(join(dir, 'busybox', 'busybox'))) !== binary) return false;
    return (await readlink(join(dir, 'busybox', 'sh'))) === '/busybox/busybox';
  } catch {
    return false;
  }
}

/** Writes the /busybox entries and the mount points into a temporary dir, then renames it to `dir`. */
async function layOut(entries: readonly LayerEntry[], dir: string): Promise<string> {
  const parent = join(dir, '..');
  await mkdir(parent, { recursive: true });
  await sweepTemps(parent);
  const tmp = tempPath(parent, 'debug-busybox');
  const release = holdTemp(tmp);
  let binary = '';
  try {
    await mkdir(tmp, { mode: 0o755 });
    for (const e of entries) {
      const p = join(tmp, e.path);
      if (e.type === 'dir') await mkdir(p, { recursive: true, mode: e.mode });
      else if (e.type === 'symlink') await symlink(e.linkname as string, p);
      else if (e.type === 'file') {
        const data = (await e.content?.()) as Buffer;
        if (e.path === 'busybox/busybox') binary = hex(data);
        await writeFile(p, data, { mode: e.mode });
      }
    }
    for (const d of ROOTFS_DIRS) await mkdir(join(tmp, d), { mode: 0o755 });
    for (const f of ROOTFS_FILES) await writeFile(join(tmp, f), '', { mode: 0o644 });
    try {
      await rename(tmp, dir);
    } catch (e) {
      // Another process laid out the same package first: its tree is the same bytes.
      if (!['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      await rm(tmp, { recursive: true, force: true });
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  } finally {
    release();
  }
  return binary;
}

/** Lays out the tree of an extracted busybox-static package; returns the binary's sha256. */
async function fromFiles(
  files: readonly LayerEntry[],
  o: BusyboxRootfsOptions,
  dir: string,
): Promise<string> {
  const layer = await busyboxLayer(files, o.arch);
  // A stale tree under this name (one that failed its check) goes first.
  if (await lstat(dir).catch(() => undefined)) await rm(dir, { recursive: true, force: true });
  return layOut(layer.entries, dir);
}

/** Resolves busybox-static in the release's signed indexes and lays out its tree. */
async function resolveAndLayOut(o: BusyboxRootfsOptions, cache: Cache): Promise<BusyboxRootfs> {
  const ctx = await openArchiveContext({ debian: o.debian, env: o.env, cache });
  const verified = await fetchReleases(ctx.spec, ctx.archive);
  const indexes = await Promise.all(verified.map((v) => loadSuitePackages(v, o.arch, ctx.archive)));
  const universe = new Universe(
    indexes.flatMap((i) => i.packages),
    o.arch,
    ctx.spec.suites,
  );
  const entry = universe.best('busybox-static');
  if (!entry)
    throw new DebugError(
      'DEBUG_BUSYBOX_FETCH_FAILED',
      `debian${o.debian} ${o.arch} has no package busybox-static`,
    );
  const pkg = toResolved(entry, ['busybox-static']);
  const [contents] = await packageContents([pkg], { cache, mergedUsr: o.debian === 13 });
  const deb = pkg.sha256.toLowerCase();
  const dir = treeOf(cache, deb);
  const binary = await fromFiles(contents?.files ?? [], o, dir);
  const rec: Recorded = { version: pkg.version, deb, binary };
  await cache.putJson(recordKey(o), rec);
  return { dir, version: pkg.version, cached: false };
}

/**
 * The busybox rootfs for `o.arch`, from the cache when recorded there, else fetched.
 * DEBUG_BUSYBOX_FETCH_FAILED (the cause says why) when it cannot be had.
 * @example const { dir } = await busyboxRootfs({ env: process.env, debian: 13, arch: 'amd64' });
 */
export async function busyboxRootfs(o: BusyboxRootfsOptions): Promise<BusyboxRootfs> {
  try {
    const cache = o.cache ?? (await openCache(cacheRoot(o.env)));
    const rec = o.refresh ? undefined : await cache.getJson<Recorded>(recordKey(o));
    if (rec) {
      const dir = treeOf(cache, rec.deb);
      if (await treeIntact(dir, rec.binary)) return { dir, version: rec.version, cached: true };
      // The tree was removed or altered: lay it out again from the package, if still cached.
      const x = await cachedExtraction(rec.deb, { cache, mergedUsr: o.debian === 13 });
      if (x && (await fromFiles(layerEntries(x), o, dir)) === rec.binary)
        return { dir, version: rec.version, cached: true };
    }
    return await resolveAndLayOut(o, cache);
  } catch (e) {
    if (e instanceof DebugError) throw e;
    const code = (e as { code?: unknown }).code;
    throw new DebugError(
      'DEBUG_BUSYBOX_FETCH_FAILED',
      `cannot get busybox-static (debian${o.debian} ${o.arch}) for the debug shell: ${typeof code === 'string' ? `${code}: ` : ''}${(e as Error).message}`,
      { cause: e },
    );
  }
}
