/**
 * Reading a small file of a running container through /proc/PID/root, as the host's root, without
 * letting the container point the read elsewhere: /proc/PID/root jumps into the container's root,
 * but an absolute symlink met after it resolves against the host's — so no component of the path
 * may be a symlink (each parent is checked, the file itself opened with O_NOFOLLOW), and only a
 * regular file is read (O_NONBLOCK: a FIFO planted there cannot make the open hang).
 */
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { posix } from 'node:path';

/** The file at absolute `path` in process `pid`'s root; undefined when absent, not a regular file, or reached through a symlink. */
export async function targetFile(pid: number, path: string): Promise<string | undefined> {
  const root = `/proc/${pid}/root`;
  const parts = posix.normalize(path).split('/').filter(Boolean);
  try {
    for (let i = 1; i < parts.length; i++)
      if (!(await lstat(`${root}/${parts.slice(0, i).join('/')}`)).isDirectory()) return undefined;
    const fh = await open(
      `${root}/${parts.join('/')}`,
      constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
    );
    try {
      if (!(await fh.stat()).isFile()) return undefined;
      return await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}
