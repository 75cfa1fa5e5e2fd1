/**
 * glibc's ld.so.cache, new format only ("glibc-ld.so.cache1.1", what ldconfig writes by default since
 * glibc 2.32), with the extension directory ldconfig adds since 2.33 (the generator string).
 *
 * Layout (all integers in the target's byte order):
 *   header (48 bytes): magic[17] version[3] nlibs:u32 len_strings:u32 flags:u8 pad[3]
 *                      extension_offset:u32 unused[3]:u32
 *   nlibs entries (24 bytes): flags:i32 key:u32 value:u32 osversion:u32 hwcap:u64
 *   string table (len_strings bytes; key/value are offsets from the start of the file)
 *   zero padding to a multiple of 4
 *   extension directory: magic:u32 count:u32, count x {tag flags offset size}:u32, then section data
 *
 * The entry order and the string table layout follow ldconfig exactly, so the bytes match what
 * glibc's ldconfig writes for the same libraries and generator string.
 */
import { LdCacheError } from './errors.ts';

export const CACHE_MAGIC = 'glibc-ld.so.cache';
export const CACHE_VERSION = '1.1';
export const OLD_CACHE_MAGIC = 'ld.so-1.7.0';
export const HEADER_SIZE = 48;
export const ENTRY_SIZE = 24;
export const EXTENSION_MAGIC = 0xeaa42174;
export const EXTENSION_TAG_GENERATOR = 0;
export const EXTENSION_TAG_GLIBC_HWCAPS = 1;

/** Entry flags (glibc sysdeps/generic/ldconfig.h): the low byte is the kind, the next the ABI. */
export const FLAG_ELF_LIBC6 = 0x0003;
export const FLAG_TYPE_MASK = 0x00ff;
export const FLAG_REQUIRED_MASK = 0xff00;
export const FLAG_SPARC_LIB64 = 0x0100;
export const FLAG_X8664_LIB64 = 0x0300;
export const FLAG_S390_LIB64 = 0x0400;
export const FLAG_POWERPC_LIB64 = 0x0500;
export const FLAG_MIPS64_LIBN32 = 0x0600;
export const FLAG_MIPS64_LIBN64 = 0x0700;
export const FLAG_X8664_LIBX32 = 0x0800;
export const FLAG_ARM_LIBHF = 0x0900;
export const FLAG_AARCH64_LIB64 = 0x0a00;
export const FLAG_ARM_LIBSF = 0x0b00;
export const FLAG_MIPS_LIB32_NAN2008 = 0x0c00;
export const FLAG_MIPS64_LIBN32_NAN2008 = 0x0d00;
export const FLAG_MIPS64_LIBN64_NAN2008 = 0x0e00;
export const FLAG_RISCV_FLOAT_ABI_SOFT = 0x0f00;
export const FLAG_RISCV_FLOAT_ABI_DOUBLE = 0x1000;
export const FLAG_LARCH_FLOAT_ABI_SOFT = 0x1100;
export const FLAG_LARCH_FLOAT_ABI_DOUBLE = 0x1200;

/** One library in the cache: ld.so looks `name` up and opens `path`. */
export interface LdCacheEntry {
  /** The key: a SONAME (or, for a `libfoo.so` development link, that link's name). */
  name: string;
  /** Absolute path in the image: the directory as configured + `/` + name. */
  path: string;
  /** FLAG_ELF_LIBC6 | the ABI flag (e.g. FLAG_X8664_LIB64). */
  flags: number;
  /** 0 for ordinary entries (glibc-hwcaps subdirectory entries carry an extension value). */
  hwcap?: bigint;
}

export interface EncodeOptions {
  /**
   * The generator string ldconfig stores, e.g. `ldconfig (Debian GLIBC 2.41-12) stable release version 2.41`
   * (see debianLdconfigGenerator). Only informative; ld.so ignores it.
   */
  generator: string;
  /** Byte order of the target (true for s390x; default false). */
  bigEndian?: boolean;
  /** Whether C `char` is signed on the target (x86: yes; arm, arm64, ppc, s390, riscv: no). Default true. */
  signedChar?: boolean;
}

/**
 * glibc's `_dl_cache_libcmp`: compares library names with runs of digits compared as numbers, a
 * digit sorting after any non-digit. ld.so binary-searches the cache with it.
 */
export function libcmp(a: Uint8Array, b: Uint8Array, signedChar = true): number {
  const ch = (s: Uint8Array, i: number) => {
    const c = i < s.length ? (s[i] ?? 0) : 0;
    return signedChar && c > 127 ? c - 256 : c;
  };
  const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
  let i = 0;
  let j = 0;
  while (ch(a, i) !== 0) {
    const c1 = ch(a, i);
    const c2 = ch(b, j);
    if (isDigit(c1)) {
      if (!isDigit(c2)) return 1;
      // Numbers as C ints (wrapping like the C code does on overflow).
      let v1 = 0;
      let v2 = 0;
      while (isDigit(ch(a, i))) v1 = (Math.imul(v1, 10) + ch(a, i++) - 0x30) | 0;
      while (isDigit(ch(b, j))) v2 = (Math.imul(v2, 10) + ch(b, j++) - 0x30) | 0;
      if (v1 !== v2) return (v1 - v2) | 0;
    } else if (isDigit(c2)) {
      return -1;
    } else if (c1 !== c2) {
      return c1 - c2;
    } else {
      i++;
      j++;
    }
  }
  return ch(a, i) - ch(b, j);
}

interface Keyed {
  e: LdCacheEntry;
  name: Buffer;
}

/** ldconfig's `compare`: names in descending libcmp order, then higher flags first. */
function compare(e1: Keyed, e2: Keyed, signedChar: boolean): number {
  const res = libcmp(e2.name, e1.name, signedChar);
  if (res === 0) {
    if (e1.e.flags < e2.e.flags) return 1;
    if (e1.e.flags > e2.e.flags) return -1;
  }
  return res;
}

/**
 * Orders entries the way ldconfig's add_to_cache does: each new entry goes before the first
 * existing one that compares greater, so entries that tie keep the order they were added in
 * (the configured directory order).
 */
export function ldconfigOrder(entries: readonly LdCacheEntry[], signedChar = true): LdCacheEntry[] {
  const list: Keyed[] = [];
  for (const e of entries) {
    const k = { e, name: Buffer.from(e.name) };
    let i = 0;
    while (i < list.length && compare(list[i] as Keyed, k, signedChar) <= 0) i++;
    list.splice(i, 0, k);
  }
  return list.map((k) => k.e);
}

/**
 * Lays out the string table like glibc's stringtable_finalize: strings sorted by their reversed
 * bytes, descending, longer first on a tie, and a string that is a suffix of the one before it
 * shares its bytes (tail merging). Returns each string's offset and the table.
 */
export function layoutStrings(strings: Iterable<string>): { table: Buffer; offsets: Map<string, number> } {
  const uniq = [...new Set(strings)].map((s) => ({ s, b: Buffer.from(s), offset: 0 }));
  if (uniq.length === 0) return { table: Buffer.alloc(0), offsets: new Map() };
  uniq.sort((l, r) => {
    const n = Math.min(l.b.length, r.b.length);
    for (let i = 1; i <= n; i++) {
      const lch = l.b[l.b.length - i] as number;
      const rch = r.b[r.b.length - i] as number;
      if (lch !== rch) return rch - lch;
    }
    return r.b.length - l.b.length;
  });
  for (let j = 1; j < uniq.length; j++) {
    const prev = uniq[j - 1] as (typeof uniq)[number];
    const cur = uniq[j] as (typeof uniq)[number];
    if (prev.b.length >= cur.b.length && prev.b.subarray(prev.b.length - cur.b.length).equals(cur.b))
      cur.offset = prev.offset + prev.b.length - cur.b.length;
    else cur.offset = prev.offset + prev.b.length + 1;
  }
  const last = uniq[uniq.length - 1] as (typeof uniq)[number];
  const table = Buffer.alloc(last.offset + last.b.length + 1);
  for (const u of uniq) u.b.copy(table, u.offset);
  return { table, offsets: new Map(uniq.map((u) => [u.s, u.offset])) };
}

function checkEntry(e: LdCacheEntry): void {
  const bad = (why: string) =>
    new LdCacheError('LDCACHE_ENTRY_INVALID', `ld.so.cache entry ${JSON.stringify(e.name)}: ${why}`);
  if (e.name === '' || e.name.includes('\0') || e.name.includes('/'))
    throw bad('the name must be a non-empty file name');
  if (!e.path.startsWith('/') || e.path.includes('\0'))
    throw bad(`path ${JSON.stringify(e.path)} must be absolute`);
  if (!Number.isInteger(e.flags) || e.flags < -0x80000000 || e.flags > 0x7fffffff)
    throw bad('flags must be an int32');
}

/**
 * Encodes a cache: entries are put in ldconfig's order first (so the order given only matters
 * between entries with the same name and flags: the first given wins the lookup).
 */
export function encodeLdSoCache(entries: readonly LdCacheEntry[], opts: EncodeOptions): Buffer {
  for (const e of entries) checkEntry(e);
  const sorted = ldconfigOrder(entries, opts.signedChar ?? true);
  const strs: string[] = [];
  for (const e of sorted) strs.push(e.path, e.name);
  const { table, offsets } = layoutStrings(strs);
  const n = sorted.length;
  const strOffset = HEADER_SIZE + n * ENTRY_SIZE;
  const extOffset = Math.ceil((strOffset + table.length) / 4) * 4;
  const generator = Buffer.from(opts.generator);
  const total = extOffset + 8 + 16 + generator.length;
  const out = Buffer.alloc(total);
  const be = opts.bigEndian ?? false;
  const u32 = (v: number, o: number) => (be ? out.writeUInt32BE(v >>> 0, o) : out.writeUInt32LE(v >>> 0, o));
  out.write(CACHE_MAGIC + CACHE_VERSION, 0, 'latin1');
  u32(n, 20);
  u32(table.length, 24);
  out[28] = be ? 3 : 2;
  u32(extOffset, 32);
  sorted.forEach((e, i) => {
    const o = HEADER_SIZE + i * ENTRY_SIZE;
    u32(e.flags, o);
    u32(strOffset + (offsets.get(e.name) as number), o + 4);
    u32(strOffset + (offsets.get(e.path) as number), o + 8);
    u32(0, o + 12);
    if (be) out.writeBigUInt64BE(e.hwcap ?? 0n, o + 16);
    else out.writeBigUInt64LE(e.hwcap ?? 0n, o + 16);
  });
  table.copy(out, strOffset);
  u32(EXTENSION_MAGIC, extOffset);
  u32(1, extOffset + 4);
  u32(EXTENSION_TAG_GENERATOR, extOffset + 8);
  u32(0, extOffset + 12);
  u32(extOffset + 24, extOffset + 16);
  u32(generator.length, extOffset + 20);
  generator.copy(out, extOffset + 24);
  return out;
}

/**
 * The generator string Debian's ldconfig writes: `ldconfig (Debian GLIBC <version>) stable release version <upstream>`,
 * from the libc-bin / libc6 package version (e.g. `2.41-12` → upstream `2.41`).
 */
export function debianLdconfigGenerator(libcVersion: string): string {
  const noEpoch = libcVersion.replace(/^\d+:/, '');
  const upstream = noEpoch.replace(/-[^-]*$/, '');
  return `ldconfig (Debian GLIBC ${noEpoch}) stable release version ${upstream}`;
}
