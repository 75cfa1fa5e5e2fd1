/**
 * The disk space removing some trees gives back. Unpacked chains share files through hard links
 * (rootfs.ts), so a file's blocks are freed only when its last link goes: each inode is counted
 * once, and only when every one of its links lies in the trees being removed. Mounts inside a tree
 * (a bundle's overlay root) are not entered.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export class FreedSpace {
  /** dev:ino → [bytes on disk, links seen, links it has]. */
  private readonly inodes = new Map<string, [number, number, number]>();

  /** Notes every inode under `path` (a file or a tree). */
  async add(path: string): Promise<void> {
    const top = await lstat(path).catch(() => undefined);
    if (!top) return;
    const stack = [path];
    while (stack.length) {
      const p = stack.pop() as string;
      const st = await lstat(p).catch(() => undefined);
      if (!st || st.dev !== top.dev) continue;
      const key = `${st.dev}:${st.ino}`;
      const seen = this.inodes.get(key);
      if (seen) seen[1]++;
      else this.inodes.set(key, [st.blocks * 512, 1, st.isDirectory() ? 1 : st.nlink]);
      if (st.isDirectory()) {
        const entries: Dirent[] = await readdir(p, { withFileTypes: true }).catch(() => []);
        for (const e of entries) stack.push(join(p, e.name));
      }
    }
  }

  /** Bytes on disk of the inodes whose every link was added. */
  get bytes(): number {
    let n = 0;
    for (const [bytes, seen, links] of this.inodes.values()) if (seen >= links) n += bytes;
    return n;
  }
}
