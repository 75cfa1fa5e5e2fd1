/**
 * How project files become layer entries: owned by root and read-only for the runtime user
 * (files 0644, or 0755 when executable on disk; directories 0755), except below the paths
 * listed in `writable`, which belong to the runtime user. Modification times are left to the
 * writer (SOURCE_DATE_EPOCH), so the bytes depend on content, names and modes only.
 */

import { isUtf8 } from 'node:buffer';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { FileHashes } from '../files/index.ts';
import type { LayerEntry } from '../oci/index.ts';
import { AppError } from './errors.ts';

/** A numeric owner. */
export interface Owner {
  uid: number;
  gid: number;
}

/** `65532`, `65532:65532`, `nonroot`, `root` → numbers; other names are not known without the base. */
export function parseOwner(s: string, what = 'user'): Owner {
  if (s === 'root') return { uid: 0, gid: 0 };
  if (s === 'nonroot') return { uid: 65532, gid: 65532 };
  const m = /^(\d+)(?::(\d+))?$/.exec(s);
  if (!m)
    throw new AppError(
      'APP_USER_UNKNOWN',
      `${what} ${JSON.stringify(s)}: use a number (uid or uid:gid), root or nonroot`,
    );
  const uid = Number(m[1]);
  return { uid, gid: m[2] !== undefined ? Number(m[2]) : uid };
}

export interface TreeOptions {
  /** Host directory to read. */
  root: string;
  /** Image directory it lands in, absolute (`/app`). */
  dest: string;
  /** Project-relative paths (relative to `root`) left out; a left-out directory is not walked unless `descend`. */
  skip?: (rel: string) => boolean;
  /** Walk into a skipped directory anyway (there may be `!` exceptions below it). */
  descend?: boolean;
  /** Absolute image paths owned by the runtime user. */
  writable?: readonly string[];
  user: Owner;
  /** Content hashes for the fingerprint (remembered per stat stamp). */
  hashes: FileHashes;
}

/** What a walk found: the entries plus a fingerprint of the inputs, for a layer cache key. */
export interface Tree {
  entries: LayerEntry[];
  /** `[path, sha256 or link target, mode]` per file/link: follows content, never file times. */
  fingerprint: [string, string, number][];
}

const SMALL = 256 * 1024;

/** True when image path `p` is, or is below, one of `dirs`. */
export function isBelow(p: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => {
    const w = d.replace(/\/+$/, '');
    return p === w || p.startsWith(`${w}/`);
  });
}

/** The image directory `dest` and its parents as root-owned 0755 dirs (or owned by the user when writable). */
export function dirChain(dest: string, writable: readonly string[], user: Owner): LayerEntry[] {
  const parts = dest.split('/').filter(Boolean);
  return parts.map((_, i) => {
    const p = `/${parts.slice(0, i + 1).join('/')}`;
    return dirEntry(p, writable, user);
  });
}

function dirEntry(imagePath: string, writable: readonly string[], user: Owner): LayerEntry {
  const w = isBelow(imagePath, writable);
  return { path: imagePath.slice(1), type: 'dir', mode: 0o755, uid: w ? user.uid : 0, gid: w ? user.gid : 0 };
}

/** Entries for every kept path below `root`, placed under `dest`. */
export async function treeEntries(o: TreeOptions): Promise<Tree> {
  const writable = o.writable ?? [];
  const out: Tree = { entries: dirChain(o.dest, writable, o.user), fingerprint: [] };
  await walk(o, '', writable, out);
  return out;
}

async function walk(o: TreeOptions, rel: string, writable: readonly string[], out: Tree): Promise<void> {
  const names = await utf8Names(o, rel);
  // One directory's lstats at once (I/O-bound); the entries still come out in name order.
  const stats = await Promise.all(names.map((name) => lstat(join(o.root, rel ? `${rel}/${name}` : name))));
  for (const [i, name] of names.entries()) {
    const r = rel ? `${rel}/${name}` : name;
    const abs = join(o.root, r);
    const st = stats[i] as Stats;
    const skipped = o.skip?.(r) ?? false;
    const imagePath = posix.join(o.dest, r);
    const w = isBelow(imagePath, writable);
    const owner = w ? o.user : { uid: 0, gid: 0 };
    if (st.isDirectory()) {
      if (skipped && !o.descend) continue;
      const before = out.entries.length;
      if (!skipped) out.entries.push({ path: imagePath.slice(1), type: 'dir', mode: 0o755, ...owner });
      await walk(o, r, writable, out);
      // A skipped directory walked for exceptions: add it only when something below it was kept.
      if (skipped && out.entries.length > before)
        out.entries.splice(before, 0, { path: imagePath.slice(1), type: 'dir', mode: 0o755, ...owner });
      continue;
    }
    if (skipped) continue;
    if (st.isSymbolicLink()) {
      const linkname = await readlink(abs);
      out.entries.push({ path: imagePath.slice(1), type: 'symlink', mode: 0o777, linkname, ...owner });
      out.fingerprint.push([r, `->${linkname}`, 0o777]);
    } else if (st.isFile()) {
      const size = st.size;
      const mode = st.mode & 0o111 ? 0o755 : 0o644;
      out.entries.push({
        path: imagePath.slice(1),
        type: 'file',
        mode,
        ...owner,
        size,
        content: () => (size <= SMALL ? readFile(abs) : createReadStream(abs, { highWaterMark: 1 << 20 })),
      });
      out.fingerprint.push([r, await o.hashes.of(abs, st), mode]);
    }
    // Sockets, fifos and devices in a project are build leftovers: they never go in an image.
  }
}

/**
 * A directory's names, sorted. A name that is not UTF-8 cannot be written as a tar path that every
 * reader agrees on (and Node cannot even name it as a string): left out when an ignore pattern
 * covers its decoded form, otherwise an error naming it with its bytes escaped.
 */
async function utf8Names(o: TreeOptions, rel: string): Promise<string[]> {
  const names: string[] = [];
  for (const raw of await readdir(join(o.root, rel), { encoding: 'buffer' })) {
    const name = raw.toString('utf8');
    if (isUtf8(raw)) {
      names.push(name);
      continue;
    }
    const r = rel ? `${rel}/${name}` : name;
    if (o.skip?.(r)) continue;
    const shown = [...raw]
      .map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`))
      .join('');
    throw new AppError(
      'APP_PATH_INVALID',
      `${rel ? `${rel}/` : ''}${shown}: the file name is not UTF-8; rename it, or leave it out with .dockerignore`,
    );
  }
  return names.sort();
}

/** Directories listed as writable that the layers do not already have: made empty, owned by the user. */
export function writableDirs(
  entries: readonly LayerEntry[],
  writable: readonly string[],
  user: Owner,
): LayerEntry[] {
  const have = new Set(entries.map((e) => `/${e.path}`));
  const out: LayerEntry[] = [];
  for (const w of writable) {
    const p = w.replace(/\/+$/, '');
    if (!have.has(p)) out.push(...dirChain(p, writable, user).filter((e) => !have.has(`/${e.path}`)));
  }
  return out;
}
