/** What goes into a layer: one entry per path, with every attribute explicit. */
import type { Readable } from 'node:stream';

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface LayerEntry {
  /** Relative POSIX path without a leading `/` or `./` (e.g. `usr/bin/python3`); no `..` parts. */
  path: string;
  type: EntryType;
  /** Permission bits including setuid, setgid and sticky (0o7777). */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch; when absent the writer's mtime (SOURCE_DATE_EPOCH) is used. */
  mtime?: number;
  /** Byte count of a regular file's content (required for files, 0 otherwise). */
  size?: number;
  /** Symlink target (kept verbatim, never followed), or for hardlinks the path linked to. */
  linkname?: string;
  /** Device numbers of char/block entries. */
  devmajor?: number;
  devminor?: number;
  /** Opens a regular file's content; it must yield exactly `size` bytes. */
  content?: () => Readable | Buffer | Promise<Readable | Buffer>;
  /** Extended attributes (e.g. security.capability), written as SCHILY.xattr PAX records. */
  xattrs?: Record<string, Buffer>;
}

/** A root-owned directory (0755). */
export function rootDir(path: string): LayerEntry {
  return { path, type: 'dir', mode: 0o755, uid: 0, gid: 0 };
}

/** A root-owned symlink (0777, as symlinks are). */
export function rootSymlink(path: string, linkname: string): LayerEntry {
  return { path, type: 'symlink', linkname, mode: 0o777, uid: 0, gid: 0 };
}

/** An OCI whiteout entry that deletes `path` from the layers below. */
export function whiteout(path: string): LayerEntry {
  const i = path.lastIndexOf('/');
  const name = `${path.slice(0, i + 1)}.wh.${path.slice(i + 1)}`;
  return { path: name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, content: () => Buffer.alloc(0) };
}

/** An opaque-directory whiteout: hides everything below `dir` from lower layers. */
export function opaqueWhiteout(dir: string): LayerEntry {
  return {
    path: `${dir.replace(/\/$/, '')}/.wh..wh..opq`,
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    content: () => Buffer.alloc(0),
  };
}
