/**
 * Finding the ELF files among the entries a detector lays out (binaries, shared objects, Node
 * addons, Python extension modules), so the native checks see every one of them; and reading a
 * binary's headers for the detectors that choose a base from them.
 */
import { open, readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { LayerEntry } from '../../../oci/index.ts';
import type { ElfFile } from '../../types.ts';

const MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/** True when the host file starts with the ELF magic. */
export async function hasElfMagic(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return false;
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.equals(MAGIC);
  } finally {
    await fh.close();
  }
}

/**
 * The ELF files among `entries`, which lay out host directory `root` under image directory
 * `dest` (as treeEntries does).
 */
export async function elfFilesIn(
  entries: readonly LayerEntry[],
  root: string,
  dest: string,
): Promise<ElfFile[]> {
  const out: ElfFile[] = [];
  for (const e of entries) {
    if (e.type !== 'file') continue;
    const rel = posix.relative(dest, `/${e.path}`);
    if (rel.startsWith('..')) continue;
    const host = join(root, rel);
    if (!(await hasElfMagic(host))) continue;
    out.push({ path: `/${e.path}`, source: rel, read: () => readFile(host) });
  }
  return out;
}
