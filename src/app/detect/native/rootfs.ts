/**
 * The final image as the RootFs the ld.so.cache code reads (src/assemble/ld-so-cache-rootfs.ts),
 * built from the native checks' view: every path with its type, plus a reader for file content.
 * Paths resolve inside the image only (symlinks are followed with `/` meaning the image root).
 */

import { bufferSource } from '../../../elf/index.ts';
import { indexPath, type RootFs, type RootFsNode, resolveInRoot } from '../../../ldcache/index.ts';
import type { ImageFile } from '../../types.ts';

/** A RootFs over an image's file map (keys without a leading `/`). */
export function imageRootFs(
  files: ReadonlyMap<string, ImageFile>,
  readFile: (path: string) => Promise<Buffer | undefined>,
): RootFs {
  const children = new Map<string, Set<string>>([['', new Set()]]);
  for (const p of files.keys()) indexPath(children, p);
  const clean = (p: string) => p.replace(/^\/+/, '').replace(/\/+$/, '');
  return {
    async lstat(path) {
      const p = clean(path);
      const f = files.get(p);
      if (!f) return children.has(p) ? { type: 'dir' } : undefined;
      const node: RootFsNode =
        f.type === 'file' || f.type === 'hardlink'
          ? { type: 'file', size: f.size }
          : f.type === 'dir'
            ? { type: 'dir' }
            : f.type === 'symlink'
              ? { type: 'symlink', linkname: f.linkname ?? '' }
              : { type: 'other' };
      return node;
    },
    async readdir(path) {
      return [...(children.get(clean(path)) ?? [])].sort();
    },
    async open(path) {
      const data = await readFile(clean(path));
      if (!data) throw new Error(`${path} is not a regular file in the image`);
      return bufferSource(data);
    },
  };
}

/** The regular file at `path` after following symlinks inside the image, or undefined. */
export async function resolveFile(fs: RootFs, path: string): Promise<string | undefined> {
  const real = await resolveInRoot(fs, path);
  if (!real) return undefined;
  return (await fs.lstat(real))?.type === 'file' ? real : undefined;
}
