/** Reads an ld.so.cache (new format, alone or behind the old libc5 format) for tests and audits. */

import { LdCacheError } from './errors.ts';
import {
  CACHE_MAGIC,
  CACHE_VERSION,
  ENTRY_SIZE,
  EXTENSION_MAGIC,
  EXTENSION_TAG_GENERATOR,
  EXTENSION_TAG_GLIBC_HWCAPS,
  FLAG_REQUIRED_MASK,
  FLAG_TYPE_MASK,
  HEADER_SIZE,
  type LdCacheEntry,
  OLD_CACHE_MAGIC,
} from './format.ts';

export interface LdCache {
  endian: 'little' | 'big';
  /** Entries in file order. */
  entries: LdCacheEntry[];
  /** The generator extension (glibc ≥ 2.33), when present. */
  generator?: string;
  /** glibc-hwcaps subdirectory names from the extension, when present. */
  hwcapsSubdirs?: string[];
  /** Offset of the new-format header in the file (0 unless behind an old-format table). */
  base: number;
}

const invalid = (m: string) => new LdCacheError('LDCACHE_INVALID', `ld.so.cache: ${m}`);
const truncated = (m: string) => new LdCacheError('LDCACHE_TRUNCATED', `ld.so.cache: ${m}`);

/** Finds the new-format header: at 0, or after the old table (aligned to 8, or 4 on 32-bit targets). */
function findNew(buf: Buffer): number {
  const magic = Buffer.from(CACHE_MAGIC + CACHE_VERSION, 'latin1');
  if (buf.length >= magic.length && buf.subarray(0, magic.length).equals(magic)) return 0;
  const old = Buffer.from(OLD_CACHE_MAGIC, 'latin1');
  if (buf.length < magic.length && magic.subarray(0, buf.length).equals(buf))
    throw truncated('the header is cut short');
  if (buf.length < 16 || !buf.subarray(0, old.length).equals(old)) throw invalid('bad magic');
  for (const le of [true, false]) {
    const nlibs = le ? buf.readUInt32LE(12) : buf.readUInt32BE(12);
    const end = 16 + nlibs * 12;
    for (const align of [8, 4]) {
      const at = Math.ceil(end / align) * align;
      if (at + magic.length <= buf.length && buf.subarray(at, at + magic.length).equals(magic)) return at;
    }
  }
  throw invalid('an old-format (libc5) cache without a new-format part');
}

function cstr(buf: Buffer, at: number, what: string): string {
  if (at >= buf.length) throw truncated(`${what} offset ${at} is past the end`);
  const nul = buf.indexOf(0, at);
  if (nul < 0) throw truncated(`${what} at ${at} has no terminating NUL`);
  return buf.subarray(at, nul).toString('utf8');
}

/**
 * Parses a cache. String offsets are taken relative to the new-format header, as ld.so does.
 * @throws LdCacheError LDCACHE_INVALID, LDCACHE_TRUNCATED
 */
export function readLdSoCache(bytes: Buffer | Uint8Array): LdCache {
  const all = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const base = findNew(all);
  const buf = all.subarray(base);
  if (buf.length < HEADER_SIZE) throw truncated('the header is cut short');
  const endianFlag = (buf[28] as number) & 3;
  if (endianFlag === 1) throw invalid('the header marks the cache as invalid');
  // 0 means "written before endianness was recorded": those writers were little-endian hosts in practice.
  const le = endianFlag !== 3;
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const nlibs = u32(20);
  const lenStrings = u32(24);
  const extOffset = u32(32);
  const tableEnd = HEADER_SIZE + nlibs * ENTRY_SIZE;
  if (tableEnd > buf.length) throw truncated(`${nlibs} entries do not fit in ${buf.length} bytes`);
  if (tableEnd + lenStrings > buf.length) throw truncated('the string table runs past the end');
  const entries: LdCacheEntry[] = [];
  for (let i = 0; i < nlibs; i++) {
    const o = HEADER_SIZE + i * ENTRY_SIZE;
    const flags = le ? buf.readInt32LE(o) : buf.readInt32BE(o);
    const hwcap = le ? buf.readBigUInt64LE(o + 16) : buf.readBigUInt64BE(o + 16);
    entries.push({
      name: cstr(buf, u32(o + 4), 'a key'),
      path: cstr(buf, u32(o + 8), 'a value'),
      flags,
      hwcap,
    });
  }
  const cache: LdCache = { endian: le ? 'little' : 'big', entries, base };
  if (extOffset !== 0) readExtensions(buf, extOffset, u32, cache);
  return cache;
}

function readExtensions(buf: Buffer, at: number, u32: (o: number) => number, cache: LdCache): void {
  if (at % 4 !== 0) throw invalid(`extension offset ${at} is not a multiple of 4`);
  if (at + 8 > buf.length) throw truncated('the extension directory runs past the end');
  // Like ld.so, a wrong magic means "no extensions" rather than a broken file.
  if (u32(at) !== EXTENSION_MAGIC) return;
  const count = u32(at + 4);
  if (at + 8 + count * 16 > buf.length) throw truncated('the extension sections run past the end');
  for (let i = 0; i < count; i++) {
    const s = at + 8 + i * 16;
    const tag = u32(s);
    const offset = u32(s + 8);
    const size = u32(s + 12);
    if (offset + size > buf.length) throw truncated(`extension section ${tag} runs past the end`);
    if (tag === EXTENSION_TAG_GENERATOR)
      cache.generator = buf.subarray(offset, offset + size).toString('utf8');
    else if (tag === EXTENSION_TAG_GLIBC_HWCAPS) {
      if (size % 4 !== 0) throw invalid('the glibc-hwcaps section size is not a multiple of 4');
      cache.hwcapsSubdirs = [];
      for (let o = offset; o < offset + size; o += 4)
        cache.hwcapsSubdirs.push(cstr(buf, u32(o), 'a hwcaps name'));
    }
  }
}

const ABI: Record<number, string> = {
  256: ',64bit',
  768: ',x86-64',
  1024: ',64bit',
  1280: ',64bit',
  1536: ',N32',
  1792: ',64bit',
  2048: ',x32',
  2304: ',hard-float',
  2560: ',AArch64',
  2816: ',soft-float',
  3072: ',nan2008',
  3328: ',N32,nan2008',
  3584: ',64bit,nan2008',
  3840: ',soft-float',
  4096: ',double-float',
  4352: ',soft-float',
  4608: ',double-float',
};

/** The `(libc6,x86-64)` part of `ldconfig -p`, from an entry's flags. */
export function describeFlags(flags: number): string {
  const kind = (flags & FLAG_TYPE_MASK) === 3 ? 'libc6' : 'unknown or unsupported flag';
  const req = flags & FLAG_REQUIRED_MASK;
  return kind + (req === 0 ? '' : (ABI[req] ?? `,${req}`));
}

/** What `ldconfig -p -C FILE` prints for this cache (glibc ≥ 2.37 wording; hwcap entries aside). */
export function formatLikeLdconfigP(cache: LdCache, fileName: string): string {
  const lines = [`${cache.entries.length} libs found in cache \`${fileName}'`];
  for (const e of cache.entries) lines.push(`\t${e.name} (${describeFlags(e.flags)}) => ${e.path}`);
  return `${lines.join('\n')}\n`;
}
