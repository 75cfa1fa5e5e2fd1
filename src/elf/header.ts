/** ELF file header and program headers: fixed layouts for ELFCLASS32 / ELFCLASS64, either byte order. */
import { ElfError } from './errors.ts';
import type { ByteSource } from './source.ts';

export const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
/** e_phnum value meaning "the real count is in section header 0's sh_info". */
const PN_XNUM = 0xffff;

/** The fields of the ELF header the reader uses. */
export interface ElfHeader {
  bits: 32 | 64;
  littleEndian: boolean;
  /** e_ident[EI_OSABI]. */
  osabi: number;
  /** e_type: 1 REL, 2 EXEC, 3 DYN, 4 CORE. */
  type: number;
  machine: number;
  /** e_flags (architecture-specific: ARM float ABI, RISC-V float ABI, ...). */
  flags: number;
  entry: bigint;
  phoff: number;
  phentsize: number;
  phnum: number;
}

/** One program header. Offsets and sizes are numbers (checked to be safe integers). */
export interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

/** Reads a field from a little- or big-endian buffer. */
export class Fields {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
    readonly what: string,
  ) {}
  u16(o: number): number {
    return this.le ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }
  u32(o: number): number {
    return this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  u64(o: number): bigint {
    return this.le ? this.buf.readBigUInt64LE(o) : this.buf.readBigUInt64BE(o);
  }
  i64(o: number): bigint {
    return this.le ? this.buf.readBigInt64LE(o) : this.buf.readBigInt64BE(o);
  }
  /** An address/offset/size field of the file's class, as a safe number. */
  word(o: number, bits: 32 | 64, field: string): number {
    if (bits === 32) return this.u32(o);
    const v = this.u64(o);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new ElfError('ELF_INVALID', `${this.what}: ${field} is out of range`);
    return Number(v);
  }
}

/** Reads exactly `length` bytes or throws ELF_TRUNCATED naming `part`. */
export async function readExact(src: ByteSource, offset: number, length: number, what: string, part: string) {
  let b: Buffer;
  try {
    b = await src.read(offset, length);
  } catch (cause) {
    throw new ElfError('ELF_READ_FAILED', `${what}: reading ${part} failed: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (b.length < length)
    throw new ElfError(
      'ELF_TRUNCATED',
      `${what}: ${part} (${length} bytes at ${offset}) runs past the end of the file`,
    );
  return b;
}

/** Parses and checks the ELF header. */
export async function readHeader(src: ByteSource, what: string): Promise<ElfHeader> {
  let head: Buffer;
  try {
    head = await src.read(0, 64);
  } catch (cause) {
    throw new ElfError(
      'ELF_READ_FAILED',
      `${what}: reading the ELF header failed: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  const magicLen = Math.min(head.length, 4);
  if (magicLen === 0 || !head.subarray(0, magicLen).equals(ELF_MAGIC.subarray(0, magicLen)))
    throw new ElfError('ELF_NOT_ELF', `${what} is not an ELF file (no \\x7fELF magic)`);
  if (head.length < 16) throw new ElfError('ELF_TRUNCATED', `${what}: the ELF identification is cut short`);
  const cls = head[4];
  const data = head[5];
  if (cls !== 1 && cls !== 2) throw new ElfError('ELF_INVALID', `${what}: unknown ELF class ${cls}`);
  if (data !== 1 && data !== 2)
    throw new ElfError('ELF_INVALID', `${what}: unknown ELF data encoding ${data}`);
  const bits = cls === 1 ? 32 : 64;
  const size = bits === 32 ? 52 : 64;
  if (head.length < size) throw new ElfError('ELF_TRUNCATED', `${what}: the ELF header is cut short`);
  const f = new Fields(head, data === 1, what);
  const h: ElfHeader = {
    bits,
    littleEndian: data === 1,
    osabi: head[7] ?? 0,
    type: f.u16(16),
    machine: f.u16(18),
    entry: bits === 32 ? BigInt(f.u32(24)) : f.u64(24),
    phoff: f.word(bits === 32 ? 28 : 32, bits, 'e_phoff'),
    flags: f.u32(bits === 32 ? 36 : 48),
    phentsize: f.u16(bits === 32 ? 42 : 54),
    phnum: f.u16(bits === 32 ? 44 : 56),
  };
  if (h.phnum === PN_XNUM) h.phnum = await extendedPhnum(src, f, bits, what);
  if (h.phnum > 0 && h.phentsize < (bits === 32 ? 32 : 56))
    throw new ElfError('ELF_INVALID', `${what}: program header entry size ${h.phentsize} is too small`);
  return h;
}

/** With more than 0xfffe program headers the count lives in section header 0's sh_info. */
async function extendedPhnum(src: ByteSource, f: Fields, bits: 32 | 64, what: string): Promise<number> {
  const shoff = f.word(bits === 32 ? 32 : 40, bits, 'e_shoff');
  if (shoff === 0)
    throw new ElfError('ELF_INVALID', `${what}: e_phnum is PN_XNUM but there is no section header`);
  const sh = await readExact(src, shoff, bits === 32 ? 40 : 64, what, 'section header 0');
  const g = new Fields(sh, f.le, what);
  return g.u32(bits === 32 ? 28 : 44);
}

/** Reads all program headers. */
export async function readProgramHeaders(
  src: ByteSource,
  h: ElfHeader,
  what: string,
): Promise<ProgramHeader[]> {
  if (h.phnum === 0) return [];
  const buf = await readExact(src, h.phoff, h.phnum * h.phentsize, what, 'the program headers');
  const f = new Fields(buf, h.littleEndian, what);
  const out: ProgramHeader[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const o = i * h.phentsize;
    if (h.bits === 32) {
      out.push({
        type: f.u32(o),
        offset: f.u32(o + 4),
        vaddr: f.u32(o + 8),
        filesz: f.u32(o + 16),
        memsz: f.u32(o + 20),
        flags: f.u32(o + 24),
        align: f.u32(o + 28),
      });
    } else {
      out.push({
        type: f.u32(o),
        flags: f.u32(o + 4),
        offset: f.word(o + 8, 64, 'p_offset'),
        vaddr: f.word(o + 16, 64, 'p_vaddr'),
        filesz: f.word(o + 32, 64, 'p_filesz'),
        memsz: f.word(o + 40, 64, 'p_memsz'),
        align: f.word(o + 48, 64, 'p_align'),
      });
    }
  }
  return out;
}
