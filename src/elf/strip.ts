/**
 * Leaving out an executable's symbol table and DWARF debug sections (what `strip --strip-debug`
 * plus the static .symtab/.strtab removal of `strip --strip-all` take away), planned from the
 * section headers alone so the binary streams through: the stripped file is the original's bytes
 * up to the end of the last loaded byte, then the kept non-loaded sections, then a new section
 * header table. Nothing the loader maps changes (program headers, .dynsym, .dynamic, code and data
 * keep their offsets), so the program runs exactly as before; only tools that want symbol names
 * (perf, gdb, a native backtrace) lose them. ELFCLASS64 little-endian executables and shared
 * objects only; anything else, or a layout this does not understand, is left as it is.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { ElfError } from './errors.ts';
import { ET_DYN, ET_EXEC, Fields, readHeader, readProgramHeaders } from './header.ts';
import type { ByteSource } from './source.ts';

const SHF_ALLOC = 0x2;
const SHF_INFO_LINK = 0x40;
const SHT_NOBITS = 8;
const SHT_SYMTAB = 2;
const SHDR64 = 64;

/** How to write the stripped file: `header`, the original's bytes from 64 to `prefix`, then `tail`. */
export interface StripPlan {
  /** The new ELF header (64 bytes): the section header table's offset, count and name index changed. */
  readonly header: Buffer;
  readonly prefix: number;
  readonly tail: Buffer;
  /** The stripped file's size (prefix + tail.length). */
  readonly size: number;
  /** Bytes fewer than the original. */
  readonly saved: number;
  /** The sections left out, by name. */
  readonly dropped: readonly string[];
}

interface Section {
  index: number;
  name: string;
  raw: Buffer;
  type: number;
  flags: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
}

const droppable = (s: Section) =>
  (s.flags & BigInt(SHF_ALLOC)) === 0n &&
  (s.type === SHT_SYMTAB ||
    s.name === '.strtab' ||
    s.name.startsWith('.debug_') ||
    s.name.startsWith('.zdebug_'));

/** The plan for stripping `src`, or undefined when there is nothing to strip or it cannot be done safely. */
export async function planStrip(src: ByteSource, what = 'ELF file'): Promise<StripPlan | undefined> {
  let h: Awaited<ReturnType<typeof readHeader>>;
  try {
    h = await readHeader(src, what);
  } catch (err) {
    if (err instanceof ElfError) return undefined;
    throw err;
  }
  if (h.bits !== 64 || !h.littleEndian || (h.type !== ET_EXEC && h.type !== ET_DYN)) return undefined;
  const header = await src.read(0, 64);
  const ident = new Fields(header, true, what);
  const shoff = Number(ident.u64(0x28));
  const shentsize = ident.u16(0x3a);
  const shnum = ident.u16(0x3c);
  const shstrndx = ident.u16(0x3e);
  if (shoff === 0 || shnum === 0 || shentsize !== SHDR64 || shstrndx >= shnum) return undefined;
  const table = await src.read(shoff, shnum * SHDR64);
  if (table.length !== shnum * SHDR64) return undefined;
  const f = new Fields(table, true, what);
  const sections: Section[] = [];
  for (let i = 0; i < shnum; i++) {
    const o = i * SHDR64;
    sections.push({
      index: i,
      name: '',
      raw: Buffer.from(table.subarray(o, o + SHDR64)),
      type: f.u32(o + 4),
      flags: f.u64(o + 8),
      offset: Number(f.u64(o + 24)),
      size: Number(f.u64(o + 32)),
      link: f.u32(o + 40),
      info: f.u32(o + 44),
      align: Number(f.u64(o + 48)),
    });
  }
  const strtab = sections[shstrndx] as Section;
  const names = await src.read(strtab.offset, strtab.size);
  for (const s of sections) {
    const at = s.raw.readUInt32LE(0);
    const end = names.indexOf(0, at);
    s.name = at < names.length && end >= 0 ? names.subarray(at, end).toString('latin1') : '';
  }
  const drop = new Set(sections.filter((s) => s.index !== 0 && droppable(s)).map((s) => s.index));
  if (drop.size === 0) return undefined;
  const kept = sections.filter((s) => !drop.has(s.index));
  // A kept section pointing at a dropped one (a relocation section for .symtab...): leave it be.
  for (const s of kept) {
    if (drop.has(s.link)) return undefined;
    if ((s.flags & BigInt(SHF_INFO_LINK)) !== 0n && drop.has(s.info)) return undefined;
  }
  // Everything the loader maps ends at `prefix`; no dropped section may start before it.
  let prefix = 0;
  for (const p of await readProgramHeaders(src, h, what)) prefix = Math.max(prefix, p.offset + p.filesz);
  for (const s of kept)
    if ((s.flags & BigInt(SHF_ALLOC)) !== 0n && s.type !== SHT_NOBITS)
      prefix = Math.max(prefix, s.offset + s.size);
  prefix = Math.max(prefix, 64, h.phoff + h.phnum * h.phentsize);
  for (const i of drop)
    if ((sections[i] as Section).offset < prefix && (sections[i] as Section).size > 0) return undefined;

  // Kept sections after the prefix are packed after it, in file order; then the section headers.
  const newIndex = new Map(kept.map((s, i) => [s.index, i]));
  const chunks: Buffer[] = [];
  let at = prefix;
  const after = kept.filter((s) => s.type !== SHT_NOBITS && s.size > 0 && s.offset >= prefix);
  const moved = new Map<number, number>();
  for (const s of after.sort((a, b) => a.offset - b.offset)) {
    const align = Math.max(1, s.align);
    const pad = (align - (at % align)) % align;
    if (pad) chunks.push(Buffer.alloc(pad));
    at += pad;
    const bytes = await src.read(s.offset, s.size);
    if (bytes.length !== s.size) return undefined;
    chunks.push(bytes);
    moved.set(s.index, at);
    at += s.size;
  }
  const pad = (8 - (at % 8)) % 8;
  if (pad) chunks.push(Buffer.alloc(pad));
  at += pad;
  const newShoff = at;
  const headers = Buffer.alloc(kept.length * SHDR64);
  for (const [i, s] of kept.entries()) {
    const r = Buffer.from(s.raw);
    const off = moved.get(s.index);
    if (off !== undefined) r.writeBigUInt64LE(BigInt(off), 24);
    if (s.index !== 0) {
      r.writeUInt32LE(newIndex.get(s.link) ?? 0, 40);
      if ((s.flags & BigInt(SHF_INFO_LINK)) !== 0n) r.writeUInt32LE(newIndex.get(s.info) ?? 0, 44);
    }
    r.copy(headers, i * SHDR64);
  }
  chunks.push(headers);
  // The ELF header with the new section header table: offset, count, string table index.
  const elfHeader = Buffer.from(header);
  elfHeader.writeBigUInt64LE(BigInt(newShoff), 0x28);
  elfHeader.writeUInt16LE(kept.length, 0x3c);
  elfHeader.writeUInt16LE(newIndex.get(shstrndx) ?? 0, 0x3e);
  const tail = Buffer.concat(chunks);
  const size = prefix + tail.length;
  const original = src.size ?? Math.max(shoff + shnum * SHDR64, ...sections.map((s) => s.offset + s.size));
  return {
    header: elfHeader,
    prefix,
    tail,
    size,
    saved: original - size,
    dropped: sections.filter((s) => drop.has(s.index)).map((s) => s.name),
  };
}

/** The stripped file's bytes, streamed from the original at `path`. */
export function strippedStream(path: string, plan: StripPlan): Readable {
  return Readable.from(
    (async function* () {
      yield plan.header;
      if (plan.prefix > 64) yield* createReadStream(path, { start: 64, end: plan.prefix - 1 });
      yield plan.tail;
    })(),
  );
}
