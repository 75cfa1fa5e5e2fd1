/**
 * A read-only view of an image's root file system, and path resolution inside it the way
 * ldconfig -r does it (glibc's chroot_canon): symlinks are followed with `/` meaning the image
 * root, `..` stops at the root, and nothing on the host outside the root is ever touched.
 */
import { lstat as hostLstat, readdir as hostReaddir, readlink as hostReadlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type ByteSource, fileSource, streamSource } from '../elf/index.ts';
import type { LayerEntry } from '../oci/index.ts';
import { LdCacheError } from './errors.ts';

export type RootFsNodeType = 'file' | 'dir' | 'symlink' | 'other';

export interface RootFsNode {
  type: RootFsNodeType;
  /** Size of a regular file. */
  size?: number;
  /** Target of a symlink, verbatim. */
  linkname?: string;
}

/** The three operations ldconfig needs. Paths are absolute inside the image (`/usr/lib`). */
export interface RootFs {
  /** The node at `path` without following a final symlink; undefined when nothing is there. */
  lstat(path: string): Promise<RootFsNode | undefined>;
  /** Names in the directory at `path` (a resolved path: no symlinks in it). */
  readdir(path: string): Promise<string[]>;
  /** Opens the regular file at `path` (a resolved path) for reading by offset. */
  open(path: string): Promise<ByteSource>;
}

/** Symlink hops before giving up, like glibc's __eloop_threshold. */
const MAX_LINKS = 40;

/**
 * chroot_canon: the canonical path of `path` inside the root, every symlink resolved; a missing
 * final component is kept (the caller's lstat then fails), a missing directory on the way or a
 * symlink loop gives undefined.
 */
export async function resolveInRoot(fs: RootFs, path: string): Promise<string | undefined> {
  const done: string[] = [];
  let rest = path.split('/');
  let links = 0;
  while (rest.length > 0) {
    const part = rest.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = `/${[...done, part].join('/')}`;
    const node = await fs.lstat(here);
    if (!node) return rest.every((p) => p === '') ? here : undefined;
    if (node.type === 'symlink') {
      if (++links > MAX_LINKS) return undefined;
      const target = node.linkname ?? '';
      if (target.startsWith('/')) done.length = 0;
      rest = [...target.split('/'), ...rest];
      continue;
    }
    done.push(part);
  }
  return `/${done.join('/')}`;
}

/** A directory on the host seen as an image root (tests; an unpacked rootfs). */
export function dirRootFs(root: string): RootFs {
  const host = (p: string) => join(root, p);
  return {
    async lstat(path) {
      try {
        const st = await hostLstat(host(path));
        if (st.isSymbolicLink()) return { type: 'symlink', linkname: await hostReadlink(host(path)) };
        if (st.isDirectory()) return { type: 'dir' };
        if (st.isFile()) return { type: 'file', size: st.size };
        return { type: 'other' };
      } catch (err) {
        if (
          (err as NodeJS.ErrnoException).code === 'ENOENT' ||
          (err as NodeJS.ErrnoException).code === 'ENOTDIR'
        )
          return undefined;
        throw new LdCacheError(
          'LDCACHE_READ_FAILED',
          `cannot stat ${path} in ${root}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    },
    async readdir(path) {
      try {
        return await hostReaddir(host(path));
      } catch (err) {
        throw new LdCacheError(
          'LDCACHE_READ_FAILED',
          `cannot list ${path} in ${root}: ${(err as Error).message}`,
          {
            cause: err,
          },
        );
      }
    },
    open: (path) => fileSource(host(path)),
  };
}

/** Records `path` in a directory index: each ancestor (`''` the root) lists its next component. */
export function indexPath(children: Map<string, Set<string>>, path: string): void {
  const parts = path.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    const parent = parts.slice(0, i).join('/');
    let set = children.get(parent);
    if (!set) {
      set = new Set();
      children.set(parent, set);
    }
    set.add(parts[i] as string);
  }
}

/**
 * The image root made of layer entries (later entries replace earlier ones at the same path;
 * parent directories are implied). Hardlinks read their target's content.
 */
export function entriesRootFs(entries: Iterable<LayerEntry>): RootFs {
  const byPath = new Map<string, LayerEntry>();
  const children = new Map<string, Set<string>>([['', new Set()]]);
  const clean = (p: string) => p.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  for (const e of entries) {
    const p = clean(e.path);
    if (p === '' || p === '.') continue;
    byPath.set(p, e);
    indexPath(children, p);
  }
  const node = (p: string): RootFsNode | undefined => {
    const e = byPath.get(p);
    if (!e) return children.has(p) ? { type: 'dir' } : undefined;
    if (e.type === 'hardlink') {
      const t = byPath.get(clean(e.linkname ?? ''));
      return t?.type === 'file' ? { type: 'file', size: t.size ?? 0 } : { type: 'other' };
    }
    if (e.type === 'file') return { type: 'file', size: e.size ?? 0 };
    if (e.type === 'dir') return { type: 'dir' };
    if (e.type === 'symlink') return { type: 'symlink', linkname: e.linkname ?? '' };
    return { type: 'other' };
  };
  return {
    lstat: async (path) => node(clean(path)),
    async readdir(path) {
      return [...(children.get(clean(path)) ?? [])].sort();
    },
    async open(path) {
      let e = byPath.get(clean(path));
      if (e?.type === 'hardlink') e = byPath.get(clean(e.linkname ?? ''));
      const content = e?.content;
      if (e?.type !== 'file' || !content)
        throw new LdCacheError(
          'LDCACHE_READ_FAILED',
          `${path} is not a regular file with content in the image`,
        );
      return streamSource(content, e.size);
    },
  };
}
