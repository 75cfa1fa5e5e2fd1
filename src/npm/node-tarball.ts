/**
 * Takes bin/node and LICENSE out of a node-linux-* npm tarball into the cache, once per tarball
 * integrity, so layer entries stream them from cache files: the ~120 MB binary is never held in
 * memory and the 184 MB of headers, docs and man pages beside it are never written anywhere.
 *
 * npm strips the first path component of a package tarball (normally `package/`), and so do we;
 * a later entry with the same path wins, as it does when npm unpacks the tarball.
 */
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { type ElfInfo, readElf } from '../elf/index.ts';
import type { Digest } from '../oci/index.ts';
import type { Cache } from '../platform/index.ts';
import { NpmError } from './errors.ts';

/** One extracted file in the cache. */
export interface CachedFile {
  digest: Digest;
  size: number;
  /** The cache blob (read-only). */
  path: string;
}

/** What the dynamic loader needs to run bin/node (from src/elf's readElf). */
export interface NodeElf {
  /** e_machine (62 x86-64, 183 aarch64). */
  machine: number;
  /** OCI architecture of the binary (`amd64`, `arm64`), when it has one. */
  arch?: string;
  /** PT_INTERP, e.g. the glibc loader path. */
  interpreter?: string;
  /** DT_NEEDED sonames, in order: the libraries the image must provide. */
  needed: string[];
  runpath: string[];
}

export interface NodeFiles {
  node: CachedFile;
  license: CachedFile;
  elf: NodeElf;
}

/** The package-relative paths distill takes, mapped to the result field. */
const WANTED = { 'bin/node': 'node', LICENSE: 'license' } as const;

interface Record_ {
  node: { digest: Digest; size: number };
  license: { digest: Digest; size: number };
  elf: NodeElf;
}

export const nodeFilesKey = (integrity: string) => `npm-node-files:v2:${integrity.trim()}`;

/** The path inside the package: first component dropped, normalised; undefined if it escapes. */
export function packagePath(name: string): string | undefined {
  const parts = name
    .replace(/^\.?\/+/, '')
    .split('/')
    .slice(1);
  // Like npm's tar, never take a path with `..` in it, wherever it would point.
  if (parts.includes('..')) return undefined;
  const p = posix.normalize(parts.join('/'));
  return p === '.' || p === '' || p.startsWith('/') ? undefined : p;
}

/**
 * bin/node and LICENSE extracted earlier from the tarball with this integrity, when both blobs are
 * still in the cache (hash-checked): then the tarball itself is not needed at all.
 */
export async function cachedNodeFiles(integrity: string, cache: Cache): Promise<NodeFiles | undefined> {
  const rec = await cache.getJson<Record_>(nodeFilesKey(integrity));
  if (!rec) return undefined;
  const node = await cache.get(rec.node.digest);
  const license = await cache.get(rec.license.digest);
  if (!node || !license) return undefined;
  return { node: { ...rec.node, path: node }, license: { ...rec.license, path: license }, elf: rec.elf };
}

/**
 * bin/node and LICENSE of the tarball at `tarball` (already integrity-checked), from the cache
 * when they were extracted before. Throws NPM_TARBALL_INVALID when either is missing or not a file.
 */
export async function extractNodeFiles(tarball: string, integrity: string, cache: Cache): Promise<NodeFiles> {
  const hit = await cachedNodeFiles(integrity, cache);
  if (hit) return hit;
  const key = nodeFilesKey(integrity);
  const found: Partial<Record<'node' | 'license', CachedFile>> = {};
  const ex = extract();
  const consume = (async () => {
    for await (const entry of ex) {
      const p = packagePath(entry.header.name);
      const field =
        p !== undefined && Object.hasOwn(WANTED, p) ? WANTED[p as keyof typeof WANTED] : undefined;
      if (!field) {
        for await (const _ of entry); // skip its content
        continue;
      }
      const type = entry.header.type;
      if (type !== 'file' && type !== 'contiguous-file')
        throw new NpmError('NPM_TARBALL_INVALID', `${p} in ${tarball} is a ${type}, not a regular file`);
      const stored = await cache.putStream(entry as AsyncIterable<Buffer>);
      found[field] = stored;
    }
  })();
  try {
    await Promise.all([pipeline(createReadStream(tarball), createGunzip(), ex), consume]);
  } catch (err) {
    ex.destroy();
    if (err instanceof NpmError) throw err;
    throw new NpmError(
      'NPM_TARBALL_INVALID',
      `${tarball}: not a readable gzip tar: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const { node, license } = found;
  if (!node || !license)
    throw new NpmError(
      'NPM_TARBALL_INVALID',
      `the tarball has no ${node ? 'LICENSE' : 'bin/node'} (expected package/bin/node and package/LICENSE)`,
    );
  let info: ElfInfo;
  try {
    info = await readElf(node.path, { name: 'bin/node' });
  } catch (err) {
    throw new NpmError(
      'NPM_TARBALL_INVALID',
      `bin/node in the tarball is not a usable ELF file: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const elf: NodeElf = {
    machine: info.machine,
    ...(info.arch ? { arch: info.arch } : {}),
    ...(info.interpreter !== undefined ? { interpreter: info.interpreter } : {}),
    needed: info.needed,
    runpath: info.runpath,
  };
  const record: Record_ = {
    node: { digest: node.digest, size: node.size },
    license: { digest: license.digest, size: license.size },
    elf,
  };
  await cache.putJson(key, record);
  return { node, license, elf };
}
