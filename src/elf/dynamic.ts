/** The dynamic section (PT_DYNAMIC) and the strings it names, read by offset from the file. */
import { ElfError } from './errors.ts';
import { type ElfHeader, Fields, type ProgramHeader, PT_LOAD, readExact } from './header.ts';
import type { ByteSource } from './source.ts';

export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_STRTAB = 5;
export const DT_STRSZ = 10;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_RUNPATH = 29;
export const DT_FLAGS_1 = 0x6ffffffb;
export const DF_1_PIE = 0x08000000;

/** A dynamic section larger than this is not a real one (glibc's biggest libraries use a few KiB). */
const MAX_DYNAMIC = 1 << 20;
/** Longest string the reader follows (paths and sonames are far shorter). */
const MAX_STRING = 1 << 16;

export interface DynamicInfo {
  needed: string[];
  soname?: string;
  /** DT_RUNPATH split on `:`, in order. */
  runpath: string[];
  /** DT_RPATH split on `:`, in order. */
  rpath: string[];
  /** DT_FLAGS_1 (0 when absent). */
  flags1: number;
  /** Whether a DT_STRTAB entry exists (glibc's ldconfig skips objects without one). */
  hasStringTable: boolean;
}

/** Maps a virtual address to a file offset through the first PT_LOAD that contains it. */
function vaddrToOffset(phdrs: ProgramHeader[], vaddr: number): number {
  for (const p of phdrs) {
    if (p.type === PT_LOAD && vaddr >= p.vaddr && vaddr - p.vaddr < p.filesz)
      return vaddr - p.vaddr + p.offset;
  }
  // Like ldconfig: with no covering segment, treat the address as a file offset.
  return vaddr;
}

/** Reads a NUL-terminated string at `offset`, a chunk at a time, never past `limit`. */
async function readString(src: ByteSource, offset: number, limit: number, what: string): Promise<string> {
  const parts: Buffer[] = [];
  let at = offset;
  let total = 0;
  for (let chunk = 128; ; chunk = Math.min(chunk * 2, 8192)) {
    const want = Math.min(chunk, limit - at);
    if (want <= 0 || total >= MAX_STRING) break;
    let b: Buffer;
    try {
      b = await src.read(at, want);
    } catch (cause) {
      throw new ElfError('ELF_READ_FAILED', `${what}: reading a dynamic string failed`, { cause });
    }
    const nul = b.indexOf(0);
    if (nul >= 0) {
      parts.push(b.subarray(0, nul));
      return Buffer.concat(parts).toString('utf8');
    }
    parts.push(b);
    total += b.length;
    at += b.length;
    if (b.length < want) break;
  }
  throw new ElfError('ELF_TRUNCATED', `${what}: a dynamic string at offset ${offset} has no terminating NUL`);
}

/** Parses PT_DYNAMIC: DT_NEEDED, DT_SONAME, DT_RUNPATH, DT_RPATH, DT_FLAGS_1. */
export async function readDynamic(
  src: ByteSource,
  h: ElfHeader,
  phdrs: ProgramHeader[],
  dyn: ProgramHeader,
  what: string,
): Promise<DynamicInfo> {
  if (dyn.filesz > MAX_DYNAMIC)
    throw new ElfError('ELF_INVALID', `${what}: dynamic section of ${dyn.filesz} bytes is implausibly large`);
  const buf = await readExact(src, dyn.offset, dyn.filesz, what, 'the dynamic section');
  const f = new Fields(buf, h.littleEndian, what);
  const size = h.bits === 32 ? 8 : 16;
  const tags: Array<[number, number]> = [];
  for (let o = 0; o + size <= buf.length; o += size) {
    const tag = h.bits === 32 ? (h.littleEndian ? buf.readInt32LE(o) : buf.readInt32BE(o)) : Number(f.i64(o));
    if (tag === DT_NULL) break;
    const val = h.bits === 32 ? f.u32(o + 4) : f.u64(o + 8);
    // String offsets and flags fit in a number; huge values only matter for addresses we never use.
    tags.push([
      tag,
      typeof val === 'bigint' ? (val > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(val)) : val,
    ]);
  }
  const info: DynamicInfo = { needed: [], runpath: [], rpath: [], flags1: 0, hasStringTable: false };
  const strtab = tags.find(([t]) => t === DT_STRTAB);
  for (const [t, v] of tags) if (t === DT_FLAGS_1) info.flags1 = v >>> 0;
  if (!strtab || strtab[1] < 0) return info;
  info.hasStringTable = true;
  const base = vaddrToOffset(phdrs, strtab[1]);
  const strsz = tags.find(([t]) => t === DT_STRSZ)?.[1];
  const limit = strsz !== undefined && strsz > 0 ? base + strsz : (src.size ?? Number.MAX_SAFE_INTEGER);
  const str = async (off: number) => {
    if (off < 0 || base + off >= limit)
      throw new ElfError(
        'ELF_TRUNCATED',
        `${what}: a dynamic string offset (${off}) lies outside the string table`,
      );
    return readString(src, base + off, limit, what);
  };
  for (const [t, v] of tags) {
    if (t === DT_NEEDED) info.needed.push(await str(v));
    else if (t === DT_SONAME && info.soname === undefined) info.soname = await str(v);
    else if (t === DT_RUNPATH) info.runpath.push(...(await str(v)).split(':'));
    else if (t === DT_RPATH) info.rpath.push(...(await str(v)).split(':'));
  }
  return info;
}
