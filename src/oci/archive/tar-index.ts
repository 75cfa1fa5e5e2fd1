/**
 * An index of a tar file's entries (name → where its data starts and how long it is), built by
 * reading only the 512-byte headers (with the one tar reader) and seeking over the data. Layers are then opened as file
 * ranges, so a multi-gigabyte `docker save` archive is never read whole or held in memory.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { OciError } from '../errors.ts';
import { ociTarFail, TarIndexer } from '../tar/indexer.ts';

export interface TarEntryInfo {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';
  /** Byte offset of the entry's data in the file. */
  offset: number;
  size: number;
  linkname: string;
}

const BLOCK = 512;

/** Reads every header of the tar at `path`. Throws OCI_ARCHIVE_TRUNCATED / OCI_ARCHIVE_INVALID. */
export async function indexTar(path: string): Promise<Map<string, TarEntryInfo>> {
  const fh = await open(path, 'r').catch((err) => {
    throw new OciError('OCI_ARCHIVE_INVALID', `cannot open ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  });
  try {
    return await scan(fh, path, (await fh.stat()).size);
  } finally {
    await fh.close();
  }
}

/** distill's one tar reader (oci/tar/indexer.ts), fed the header blocks; content is seeked over. */
async function scan(fh: FileHandle, path: string, fileSize: number): Promise<Map<string, TarEntryInfo>> {
  const ix = new TarIndexer(path, ociTarFail, 'other');
  const block = Buffer.alloc(BLOCK);
  let pos = 0;
  let lastZero = false;
  while (!ix.ended) {
    const skip = ix.pendingSkip();
    if (skip > 0) {
      if (pos + skip > fileSize)
        throw truncated(path, `an entry needs ${pos + skip - fileSize} more bytes than the file has`);
      ix.skipBytes(skip);
      pos += skip;
      continue;
    }
    const { bytesRead } = await fh.read(block, 0, BLOCK, pos);
    if (bytesRead === 0 && lastZero) break; // one zero block, then the end of the file: accepted
    if (bytesRead === 0 && pos > 0) throw truncated(path, 'it ends without the end-of-archive marker');
    if (bytesRead < BLOCK) throw truncated(path, `a header at byte ${pos} is cut short`);
    if (pos === 0 && block[0] === 0x1f && block[1] === 0x8b)
      throw new OciError('OCI_ARCHIVE_INVALID', `${path} is gzip-compressed; decompress it first (gunzip)`);
    lastZero = block.every((b) => b === 0);
    ix.write(block);
    pos += BLOCK;
  }
  const entries = new Map<string, TarEntryInfo>();
  for (const e of ix.end()) {
    const name = normalizeName(e.name);
    entries.set(name, {
      name,
      type:
        e.type === 'file' || e.type === 'dir' || e.type === 'symlink' || e.type === 'hardlink'
          ? e.type
          : 'other',
      offset: e.offset,
      size: e.size,
      linkname: e.linkname ?? '',
    });
  }
  return entries;
}

/** `./a/b/` → `a/b`: the names manifest.json uses have no leading `./` or trailing `/`. */
export function normalizeName(name: string): string {
  const n = posix.normalize(name.replace(/^\.\//, '')).replace(/\/+$/, '');
  return n === '.' ? '' : n;
}

function truncated(path: string, why: string): OciError {
  return new OciError('OCI_ARCHIVE_TRUNCATED', `${path} is truncated: ${why}`);
}
