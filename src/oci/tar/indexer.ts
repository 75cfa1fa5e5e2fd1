/**
 * distill's one tar reader. A streaming tar header parser that records, for every entry, its attributes and the byte offset of
 * its content in the (uncompressed) tar — apko's tarfs idea: the tar is kept as one cache blob and
 * each file is later read with a ranged read, so contents are never held in memory.
 *
 * Handles ustar, GNU (long names `L`/`K`, base-256 numbers) and pax (`x`; `g` is ignored) headers,
 * and checks every header checksum. Contents are skipped, not buffered.
 */
import { OciError } from '../errors.ts';

/** What went wrong in a tar: each caller turns it into its own error (DebError, OciError). */
export type TarProblem = 'format' | 'truncated' | 'unsupported';
export type TarFail = (problem: TarProblem, message: string) => Error;

/** The default: OCI_ARCHIVE_TRUNCATED for a short tar, OCI_ARCHIVE_INVALID for anything else. */
export const ociTarFail: TarFail = (p, m) =>
  new OciError(p === 'truncated' ? 'OCI_ARCHIVE_TRUNCATED' : 'OCI_ARCHIVE_INVALID', m);

/** Entry types distill represents (as in LayerEntry). */
export type RawType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo' | 'other';

/** One tar entry as stored (path not yet normalised). */
export interface RawTarEntry {
  name: string;
  type: RawType;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  /** Content bytes (0 for everything but files). */
  size: number;
  /** Offset of the content in the tar. */
  offset: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  /** SCHILY.xattr.* pax records, values base64. */
  xattrs?: Record<string, string>;
}

const TYPES: Record<string, RawType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};
const MAX_EXT = 1 << 20;

function cstring(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString('utf8', off, end === -1 || end > off + len ? off + len : end);
}

function num(b: Buffer, off: number, len: number, what: string, fail: TarFail): number {
  if ((b[off] ?? 0) & 0x80) {
    // GNU base-256: big-endian, first byte's high bit is the marker (negative values are refused).
    if ((b[off] ?? 0) & 0x40) throw fail('format', `${what}: negative number in tar header`);
    let v = (b[off] ?? 0) & 0x3f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + (b[i] ?? 0);
    return v;
  }
  const s = b
    .toString('latin1', off, off + len)
    .replace(/[\0 ]+$/, '')
    .replace(/^[ ]+/, '');
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw fail('format', `${what}: bad octal ${JSON.stringify(s)}`);
  return Number.parseInt(s, 8);
}

function parsePax(buf: Buffer, what: string, fail: TarFail): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < buf.length) {
    const sp = buf.indexOf(0x20, i);
    const len = Number(buf.toString('latin1', i, sp));
    if (sp < 0 || !Number.isInteger(len) || len <= 0 || i + len > buf.length)
      throw fail('format', `${what}: bad pax record`);
    const rec = buf.subarray(sp + 1, i + len - 1); // drop trailing \n
    const eq = rec.indexOf(0x3d);
    const key = rec.toString('utf8', 0, eq);
    out[key] = key.startsWith('SCHILY.xattr.')
      ? rec.subarray(eq + 1).toString('base64')
      : rec.toString('utf8', eq + 1);
    i += len;
  }
  return out;
}

/** Feed it the tar's bytes in order with `write`, then call `end` for the entries. */
export class TarIndexer {
  readonly entries: RawTarEntry[] = [];
  private pos = 0;
  private readonly hdr = Buffer.alloc(512);
  private hdrFill = 0;
  private skip = 0;
  private ext?: { kind: string; buf: Buffer; fill: number; pad: number };
  private pax: Record<string, string> = {};
  private longName?: string;
  private longLink?: string;
  private zeros = 0;
  private done = false;

  /**
   * `unknownTypes: 'other'` lists entries of types distill does not represent as `other` (an
   * archive's index); the default refuses them (a package's files).
   */
  constructor(
    private readonly what: string,
    private readonly fail: TarFail = ociTarFail,
    private readonly unknownTypes: 'fail' | 'other' = 'fail',
  ) {}

  /** Content bytes the indexer will skip next: a file-backed reader may seek over them instead. */
  pendingSkip(): number {
    return this.ext ? 0 : this.skip;
  }

  /** Skips `n` of the pending bytes without reading them. */
  skipBytes(n: number): void {
    const k = Math.min(n, this.skip);
    this.skip -= k;
    this.pos += k;
  }

  /** True once the end-of-archive marker was read. */
  get ended(): boolean {
    return this.done;
  }

  write(chunk: Uint8Array): void {
    const c = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    let i = 0;
    while (i < c.length && !this.done) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, c.length - i);
        this.skip -= n;
        i += n;
        this.pos += n;
      } else if (this.ext) {
        const e = this.ext;
        const n = Math.min(e.buf.length - e.fill, c.length - i);
        c.copy(e.buf, e.fill, i, i + n);
        e.fill += n;
        i += n;
        this.pos += n;
        if (e.fill === e.buf.length) this.finishExt();
      } else {
        const n = Math.min(512 - this.hdrFill, c.length - i);
        c.copy(this.hdr, this.hdrFill, i, i + n);
        this.hdrFill += n;
        i += n;
        this.pos += n;
        if (this.hdrFill === 512) {
          this.hdrFill = 0;
          this.header();
        }
      }
    }
  }

  /** The entries; a `truncated` failure when the tar stopped mid-entry or before its end marker. */
  end(): RawTarEntry[] {
    if (!this.done && (this.hdrFill > 0 || this.skip > 0 || this.ext || this.zeros === 0))
      throw this.fail('truncated', `${this.what}: tar ends inside an entry (truncated)`);
    return this.entries;
  }

  private finishExt(): void {
    const e = this.ext as NonNullable<typeof this.ext>;
    this.ext = undefined;
    this.skip = e.pad;
    if (e.kind === 'x') Object.assign(this.pax, parsePax(e.buf, this.what, this.fail));
    else if (e.kind === 'L') this.longName = cstring(e.buf, 0, e.buf.length);
    else if (e.kind === 'K') this.longLink = cstring(e.buf, 0, e.buf.length);
    // 'g' (global pax) carries nothing distill uses.
  }

  private header(): void {
    const h = this.hdr;
    if (h.every((b) => b === 0)) {
      if (++this.zeros >= 2) this.done = true;
      return;
    }
    this.zeros = 0;
    const what = this.what;
    const fail = this.fail;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (h[i] as number);
    if (num(h, 148, 8, what, fail) !== sum)
      throw fail('format', `${what}: tar header checksum mismatch at ${this.pos - 512}`);
    const flag = String.fromCharCode(h[156] as number);
    const size = num(h, 124, 12, what, fail);
    const pad = (512 - (size % 512)) % 512;
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > MAX_EXT) throw fail('format', `${what}: oversized ${flag} header`);
      this.ext = { kind: flag, buf: Buffer.alloc(size), fill: 0, pad };
      if (size === 0) this.finishExt();
      return;
    }
    const type = TYPES[flag] ?? (this.unknownTypes === 'other' ? 'other' : undefined);
    let name = cstring(h, 0, 100);
    const magic = h.toString('latin1', 257, 263);
    if (magic === 'ustar\0') {
      const prefix = cstring(h, 345, 155);
      if (prefix) name = `${prefix}/${name}`;
    }
    if (this.longName !== undefined) name = this.longName;
    if (this.pax.path !== undefined) name = this.pax.path;
    if (!type) throw fail('unsupported', `${what}: ${name}: tar entry type ${JSON.stringify(flag)}`);
    const pax = this.pax;
    const realSize = pax.size !== undefined ? Number(pax.size) : size;
    const entry: RawTarEntry = {
      name,
      type,
      mode: num(h, 100, 8, what, fail) & 0o7777,
      uid: pax.uid !== undefined ? Number(pax.uid) : num(h, 108, 8, what, fail),
      gid: pax.gid !== undefined ? Number(pax.gid) : num(h, 116, 8, what, fail),
      mtime: pax.mtime !== undefined ? Math.floor(Number(pax.mtime)) : num(h, 136, 12, what, fail),
      size: type === 'file' ? realSize : 0,
      offset: this.pos,
    };
    if (type === 'symlink' || type === 'hardlink')
      entry.linkname = pax.linkpath ?? this.longLink ?? cstring(h, 157, 100);
    if (type === 'char' || type === 'block') {
      entry.devmajor = num(h, 329, 8, what, fail);
      entry.devminor = num(h, 337, 8, what, fail);
    }
    const xattrs = Object.entries(pax).filter(([k]) => k.startsWith('SCHILY.xattr.'));
    if (xattrs.length) entry.xattrs = Object.fromEntries(xattrs.map(([k, v]) => [k.slice(13), v]));
    this.entries.push(entry);
    this.pax = {};
    this.longName = undefined;
    this.longLink = undefined;
    this.skip = realSize + ((512 - (realSize % 512)) % 512);
  }
}
