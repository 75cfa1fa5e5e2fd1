/** readElf: what distill needs to know about a binary, from its headers only. */
import type { FileHandle } from 'node:fs/promises';
import { DF_1_PIE, type DynamicInfo, readDynamic } from './dynamic.ts';
import { ElfError } from './errors.ts';
import {
  type ElfHeader,
  ET_CORE,
  ET_DYN,
  ET_EXEC,
  ET_REL,
  type ProgramHeader,
  PT_DYNAMIC,
  PT_INTERP,
  readExact,
  readHeader,
  readProgramHeaders,
} from './header.ts';
import { machineNames } from './machine.ts';
import { type ByteSource, bufferSource, fileSource, handleSource } from './source.ts';

/** How a binary gets its libraries. */
export type Linkage =
  /** No dynamic section: everything is in the file (e.g. busybox-static). */
  | 'static'
  /** Self-relocating position-independent executable with no interpreter and no DT_NEEDED (e.g. ldconfig). */
  | 'static-pie'
  /** Needs the dynamic loader / shared libraries (executables with PT_INTERP, and shared libraries). */
  | 'dynamic';

/** What readElf reports. */
export interface ElfInfo {
  bits: 32 | 64;
  endian: 'little' | 'big';
  /** e_machine. */
  machine: number;
  /** Short machine name: `x86_64`, `aarch64`, `arm`, `riscv64`, `s390x`, `ppc64le`, `i386`, ... */
  machineName: string;
  /** OCI platform architecture (`amd64`, `arm64`, `arm`, `riscv64`, `s390x`, `ppc64le`, `386`), when it has one. */
  arch?: string;
  /** Debian architecture (`amd64`, `arm64`, `armhf`, `armel`, `riscv64`, `s390x`, `ppc64el`, `i386`), when it has one. */
  debianArch?: string;
  /** e_type as a word; `eType` keeps the number. */
  type: 'rel' | 'exec' | 'dyn' | 'core' | 'unknown';
  eType: number;
  /** e_flags. */
  flags: number;
  /** e_ident[EI_OSABI]. */
  osabi: number;
  /** A position-independent executable (ET_DYN with DF_1_PIE, or with an interpreter and no soname). */
  pie: boolean;
  linkage: Linkage;
  /** `linkage !== 'dynamic'`. */
  isStatic: boolean;
  /** PT_INTERP: the program interpreter path. */
  interpreter?: string;
  /** Which C library the binary was linked against, when the headers tell. */
  libc?: 'glibc' | 'musl';
  /** Whether a PT_DYNAMIC segment exists. */
  hasDynamic: boolean;
  /** Whether the dynamic section has a string table (DT_STRTAB). */
  hasStringTable: boolean;
  needed: string[];
  soname?: string;
  runpath: string[];
  rpath: string[];
}

/** Anything readElf can read from. Paths and handles are read by offset, never whole. */
export type ElfInput = string | Buffer | Uint8Array | FileHandle | ByteSource;

function isHandle(x: object): x is FileHandle {
  return typeof (x as FileHandle).fd === 'number' && typeof (x as FileHandle).stat === 'function';
}

/** Wraps an input as a ByteSource and says whether readElf should close it afterwards. */
async function toSource(input: ElfInput): Promise<{ src: ByteSource; own: boolean; what: string }> {
  if (typeof input === 'string') return { src: await fileSource(input), own: true, what: input };
  if (input instanceof Uint8Array) return { src: bufferSource(input), own: false, what: 'buffer' };
  if (isHandle(input)) {
    const st = await input.stat();
    return { src: handleSource(input, st.size), own: false, what: `fd ${input.fd}` };
  }
  return { src: input, own: false, what: 'input' };
}

const TYPES: Record<number, ElfInfo['type']> = {
  [ET_REL]: 'rel',
  [ET_EXEC]: 'exec',
  [ET_DYN]: 'dyn',
  [ET_CORE]: 'core',
};
const MAX_INTERP = 4096;

/**
 * Reads an ELF file's identity and dynamic-linking facts: class, byte order, machine, type,
 * interpreter, DT_NEEDED, DT_SONAME, DT_RUNPATH/DT_RPATH, static or dynamic, glibc or musl.
 * Only the ELF header, the program headers, PT_INTERP, the dynamic section and the strings it
 * names are read.
 *
 * @example
 * const info = await readElf('/usr/bin/node');
 * info.arch;        // 'amd64'
 * info.interpreter; // '/lib64/ld-linux-x86-64.so.2'
 * info.needed;      // ['libnode.so.108', 'libc.so.6', ...]
 * @throws ElfError ELF_NOT_ELF, ELF_INVALID, ELF_TRUNCATED, ELF_READ_FAILED
 */
export async function readElf(input: ElfInput, opts: { name?: string } = {}): Promise<ElfInfo> {
  const { src, own, what: w } = await toSource(input);
  const what = opts.name ?? w;
  try {
    const h = await readHeader(src, what);
    const phdrs = await readProgramHeaders(src, h, what);
    return await describe(src, h, phdrs, what);
  } finally {
    if (own) await src.close?.();
  }
}

async function describe(
  src: ByteSource,
  h: ElfHeader,
  phdrs: ProgramHeader[],
  what: string,
): Promise<ElfInfo> {
  const interpHdr = phdrs.find((p) => p.type === PT_INTERP);
  let interpreter: string | undefined;
  if (interpHdr) {
    if (interpHdr.filesz > MAX_INTERP)
      throw new ElfError(
        'ELF_INVALID',
        `${what}: PT_INTERP of ${interpHdr.filesz} bytes is implausibly large`,
      );
    const b = await readExact(src, interpHdr.offset, interpHdr.filesz, what, 'PT_INTERP');
    const nul = b.indexOf(0);
    interpreter = b.subarray(0, nul < 0 ? b.length : nul).toString('utf8');
  }
  const dynHdr = phdrs.find((p) => p.type === PT_DYNAMIC);
  const dyn: DynamicInfo = dynHdr
    ? await readDynamic(src, h, phdrs, dynHdr, what)
    : { needed: [], runpath: [], rpath: [], flags1: 0, hasStringTable: false };
  const names = machineNames(h.machine, h.bits, h.littleEndian, h.flags);
  const type = TYPES[h.type] ?? 'unknown';
  const pie =
    type === 'dyn' &&
    ((dyn.flags1 & DF_1_PIE) !== 0 || (interpreter !== undefined && dyn.soname === undefined));
  let linkage: Linkage = 'dynamic';
  if (!dynHdr) linkage = 'static';
  else if (!interpreter && dyn.needed.length === 0 && pie) linkage = 'static-pie';
  const libc = whichLibc(interpreter, dyn.needed);
  return {
    bits: h.bits,
    endian: h.littleEndian ? 'little' : 'big',
    machine: h.machine,
    machineName: names.name,
    ...(names.arch ? { arch: names.arch } : {}),
    ...(names.debianArch ? { debianArch: names.debianArch } : {}),
    type,
    eType: h.type,
    flags: h.flags,
    osabi: h.osabi,
    pie,
    linkage,
    isStatic: linkage !== 'dynamic',
    ...(interpreter !== undefined ? { interpreter } : {}),
    ...(libc ? { libc } : {}),
    hasDynamic: dynHdr !== undefined,
    hasStringTable: dyn.hasStringTable,
    needed: dyn.needed,
    ...(dyn.soname !== undefined ? { soname: dyn.soname } : {}),
    runpath: dyn.runpath,
    rpath: dyn.rpath,
  };
}

/**
 * glibc or musl, from the interpreter (`/lib/ld-musl-<arch>.so.1` is musl's; `ld-linux*`, `ld64.so.*`,
 * `ld.so.1` are glibc's) or, for a shared library, from the libc it needs.
 */
export function whichLibc(
  interpreter: string | undefined,
  needed: readonly string[],
): 'glibc' | 'musl' | undefined {
  if (interpreter !== undefined) {
    const base = interpreter.slice(interpreter.lastIndexOf('/') + 1);
    if (base.startsWith('ld-musl-')) return 'musl';
    if (/^ld-linux[-.]/.test(base) || /^ld64\.so\.\d+$/.test(base) || base === 'ld.so.1') return 'glibc';
    return undefined;
  }
  if (needed.includes('libc.so.6')) return 'glibc';
  if (needed.some((n) => /^libc\.musl-[^/]+\.so\.1$/.test(n) || n === 'libc.so')) return 'musl';
  return undefined;
}

/**
 * Cheap check: does the file start with the ELF magic? Reads 4 bytes; false for anything that is
 * missing, unreadable, a directory or shorter than 4 bytes.
 */
export async function isElf(input: string | Buffer | Uint8Array): Promise<boolean> {
  if (input instanceof Uint8Array)
    return input.length >= 4 && Buffer.from(input.subarray(0, 4)).equals(MAGIC);
  let src: ByteSource | undefined;
  try {
    src = await fileSource(input);
    const b = await src.read(0, 4);
    return b.length === 4 && b.equals(MAGIC);
  } catch {
    return false;
  } finally {
    await src?.close?.();
  }
}
const MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
