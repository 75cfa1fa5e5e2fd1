/**
 * Test helper: writes small but well-formed ELF files (either class, either byte order) with a
 * PT_LOAD, an optional PT_INTERP and a PT_DYNAMIC whose strings sit in the loaded segment, so the
 * reader's less common paths (32-bit, big-endian, odd e_flags) and malformed variants can be tested
 * without a cross toolchain. readelf reads them too, which keeps the helper honest.
 */
export interface ElfSpec {
  bits: 32 | 64;
  littleEndian?: boolean;
  /** e_type (default 3, ET_DYN). */
  type?: number;
  machine: number;
  flags?: number;
  interp?: string;
  needed?: string[];
  soname?: string;
  runpath?: string;
  rpath?: string;
  flags1?: number;
  /** Leave out PT_DYNAMIC (a static binary). */
  noDynamic?: boolean;
}

const BASE = 0x400000;

export function buildElf(spec: ElfSpec): Buffer {
  const b64 = spec.bits === 64;
  const le = spec.littleEndian ?? true;
  const ehsize = b64 ? 64 : 52;
  const phentsize = b64 ? 56 : 32;
  const dynentsize = b64 ? 16 : 8;
  const strs: string[] = [];
  const strOff = new Map<string, number>();
  let strLen = 1;
  const addStr = (s: string) => {
    if (!strOff.has(s)) {
      strOff.set(s, strLen);
      strs.push(s);
      strLen += Buffer.byteLength(s) + 1;
    }
    return strOff.get(s) as number;
  };
  const dyn: Array<[number, number]> = [];
  for (const n of spec.needed ?? []) dyn.push([1, addStr(n)]);
  if (spec.soname !== undefined) dyn.push([14, addStr(spec.soname)]);
  if (spec.runpath !== undefined) dyn.push([29, addStr(spec.runpath)]);
  if (spec.rpath !== undefined) dyn.push([15, addStr(spec.rpath)]);
  if (spec.flags1 !== undefined) dyn.push([0x6ffffffb, spec.flags1]);
  const phnum = 1 + (spec.interp !== undefined ? 1 : 0) + (spec.noDynamic ? 0 : 1);
  const interpOff = ehsize + phnum * phentsize;
  const interpBuf = spec.interp !== undefined ? Buffer.from(`${spec.interp}\0`) : Buffer.alloc(0);
  const strtabOff = interpOff + interpBuf.length;
  const dynOff = Math.ceil((strtabOff + strLen) / 8) * 8;
  dyn.push([5, BASE + strtabOff], [10, strLen], [0, 0]);
  const dynSize = spec.noDynamic ? 0 : dyn.length * dynentsize;
  const total = dynOff + dynSize;
  const out = Buffer.alloc(total);
  const u16 = (v: number, o: number) => (le ? out.writeUInt16LE(v, o) : out.writeUInt16BE(v, o));
  const u32 = (v: number, o: number) => (le ? out.writeUInt32LE(v >>> 0, o) : out.writeUInt32BE(v >>> 0, o));
  const word = (v: number, o: number) =>
    b64 ? (le ? out.writeBigUInt64LE(BigInt(v), o) : out.writeBigUInt64BE(BigInt(v), o)) : u32(v, o);
  out.set([0x7f, 0x45, 0x4c, 0x46, b64 ? 2 : 1, le ? 1 : 2, 1, 0]);
  u16(spec.type ?? 3, 16);
  u16(spec.machine, 18);
  u32(1, 20);
  word(0, 24); // e_entry
  word(ehsize, b64 ? 32 : 28); // e_phoff
  u32(spec.flags ?? 0, b64 ? 48 : 36);
  u16(ehsize, b64 ? 52 : 40);
  u16(phentsize, b64 ? 54 : 42);
  u16(phnum, b64 ? 56 : 44);
  let ph = ehsize;
  const phdr = (type: number, offset: number, size: number, flags: number, align: number) => {
    u32(type, ph);
    if (b64) {
      u32(flags, ph + 4);
      word(offset, ph + 8);
      word(BASE + offset, ph + 16);
      word(BASE + offset, ph + 24);
      word(size, ph + 32);
      word(size, ph + 40);
      word(align, ph + 48);
    } else {
      u32(offset, ph + 4);
      u32(BASE + offset, ph + 8);
      u32(BASE + offset, ph + 12);
      u32(size, ph + 16);
      u32(size, ph + 20);
      u32(flags, ph + 24);
      u32(align, ph + 28);
    }
    ph += phentsize;
  };
  phdr(1, 0, total, 5, 0x1000);
  if (spec.interp !== undefined) phdr(3, interpOff, interpBuf.length, 4, 1);
  if (!spec.noDynamic) phdr(2, dynOff, dynSize, 6, 8);
  interpBuf.copy(out, interpOff);
  for (const s of strs) out.write(s, strtabOff + (strOff.get(s) as number));
  if (!spec.noDynamic) {
    dyn.forEach(([tag, val], i) => {
      const o = dynOff + i * dynentsize;
      if (b64) {
        if (le) {
          out.writeBigInt64LE(BigInt(tag), o);
          out.writeBigUInt64LE(BigInt(val), o + 8);
        } else {
          out.writeBigInt64BE(BigInt(tag), o);
          out.writeBigUInt64BE(BigInt(val), o + 8);
        }
      } else {
        u32(tag, o);
        u32(val, o + 4);
      }
    });
  }
  return out;
}
