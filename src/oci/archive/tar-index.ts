/**
 * An index of a tar file's entries (name → where its data starts and how long it is), built by
 * reading only the 512-byte headers and seeking over the data. Layers are then opened as file
 * ranges, so a multi-gigabyte `docker save` archive is never read whole or held in memory.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { OciError } from '../errors.ts';

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

async function scan(fh: FileHandle, path: string, fileSize: number): Promise<Map<string, TarEntryInfo>> {
  const entries = new Map<string, TarEntryInfo>();
  const header = Buffer.alloc(BLOCK);
  let pos = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  for (;;) {
    const { bytesRead } = await fh.read(header, 0, BLOCK, pos);
    if (bytesRead === 0 && pos > 0) throw truncated(path, 'it ends without the end-of-archive marker');
    if (bytesRead < BLOCK) throw truncated(path, `a header at byte ${pos} is cut short`);
    if (header.every((b) => b === 0)) return entries;
    if (!checksumOk(header)) {
      if (pos === 0 && header[0] === 0x1f && header[1] === 0x8b) {
        throw new OciError('OCI_ARCHIVE_INVALID', `${path} is gzip-compressed; decompress it first (gunzip)`);
      }
      throw new OciError('OCI_ARCHIVE_INVALID', `${path}: bad tar header checksum at byte ${pos}`);
    }
    const typeflag = String.fromCharCode(header[156] ?? 0);
    let size = parseNumber(header.subarray(124, 136));
    if (pax.size !== undefined) size = Number(pax.size);
    const offset = pos + BLOCK;
    const next = offset + Math.ceil(size / BLOCK) * BLOCK;
    if (offset + size > fileSize) {
      throw truncated(path, `an entry needs ${offset + size - fileSize} more bytes than the file has`);
    }
    if (next > fileSize) throw truncated(path, 'the last entry is not padded to a whole block');
    if (typeflag === 'x' || typeflag === 'L' || typeflag === 'K') {
      const data = Buffer.alloc(size);
      await fh.read(data, 0, size, offset);
      if (typeflag === 'x') pax = parsePax(data);
      else if (typeflag === 'L') longName = cstring(data);
      else longLink = cstring(data);
    } else if (typeflag !== 'g') {
      const prefix = cstring(header.subarray(345, 500));
      const magic = header.subarray(257, 262).toString('latin1');
      const base = cstring(header.subarray(0, 100));
      const raw = pax.path ?? longName ?? (magic === 'ustar' && prefix ? `${prefix}/${base}` : base);
      const name = normalizeName(raw);
      entries.set(name, {
        name,
        type: kind(typeflag),
        offset,
        size: typeflag === '0' || typeflag === '\0' || typeflag === '7' ? size : 0,
        linkname: pax.linkpath ?? longLink ?? cstring(header.subarray(157, 257)),
      });
      pax = {};
      longName = undefined;
      longLink = undefined;
    }
    pos = next;
  }
}

/** `./a/b/` → `a/b`: the names manifest.json uses have no leading `./` or trailing `/`. */
export function normalizeName(name: string): string {
  const n = posix.normalize(name.replace(/^\.\//, '')).replace(/\/+$/, '');
  return n === '.' ? '' : n;
}

function kind(t: string): TarEntryInfo['type'] {
  if (t === '0' || t === '\0' || t === '7') return 'file';
  if (t === '5') return 'dir';
  if (t === '2') return 'symlink';
  if (t === '1') return 'hardlink';
  return 'other';
}

function truncated(path: string, why: string): OciError {
  return new OciError('OCI_ARCHIVE_TRUNCATED', `${path} is truncated: ${why}`);
}

function cstring(b: Buffer): string {
  const i = b.indexOf(0);
  return b.subarray(0, i < 0 ? b.length : i).toString('utf8');
}

/** Octal, or base-256 (high bit set) for sizes of 8 GiB and more. */
function parseNumber(b: Buffer): number {
  if ((b[0] ?? 0) & 0x80) {
    let v = (b[0] ?? 0) & 0x7f;
    for (let i = 1; i < b.length; i++) v = v * 256 + (b[i] ?? 0);
    return v;
  }
  const s = cstring(b).trim();
  return s ? Number.parseInt(s, 8) : 0;
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (h[i] ?? 0);
  return parseNumber(h.subarray(148, 156)) === sum;
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number.parseInt(data.subarray(i, sp).toString('latin1'), 10);
    if (!(len > 0)) break;
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    i += len;
  }
  return out;
}
