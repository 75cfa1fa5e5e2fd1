/**
 * POSIX ustar headers, with PAX extended headers for whatever ustar cannot hold exactly
 * (long or non-ASCII names and link targets, sizes ≥ 8 GiB, big ids, xattrs). Every field is
 * explicit: no host user or group names, no device numbers except for device entries.
 */
import type { EntryType } from './entry.ts';

const BLOCK = 512;
const TYPEFLAG: Record<EntryType, string> = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
};

export interface HeaderFields {
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  size: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  xattrs?: Record<string, Buffer>;
}

// Largest values the octal fields hold: 7 digits for mode/ids, 11 for size/mtime.
const MAX_ID = 0o7777777;
const MAX_SIZE = 0o77777777777;

export interface EncodeOptions {
  /**
   * Exactly one 512-byte block, so a header can be rewritten in place once a streamed entry's
   * size is known (the docker-archive writer): sizes of 8 GiB and more are written in GNU's
   * base-256 form (which GNU tar and Go's archive/tar read) instead of a PAX record; anything
   * else ustar cannot hold is an error.
   */
  oneBlock?: boolean;
}

/** The header block(s) of one entry: a PAX 'x' header first when needed, then the ustar header. */
export function encodeHeader(h: HeaderFields, o: EncodeOptions = {}): Buffer {
  const pax: [string, string | Buffer][] = [];
  // Directories carry a trailing slash, as GNU tar and Go's archive/tar write them.
  const name = h.type === 'dir' ? `${h.path}/` : h.path;
  const split = splitUstarName(name);
  if (!split) pax.push(['path', name]);
  const link = h.linkname ?? '';
  if (link && !fitsAscii(link, 100)) pax.push(['linkpath', link]);
  const base256 = o.oneBlock === true && h.size > MAX_SIZE;
  if (h.size > MAX_SIZE && !base256) pax.push(['size', String(h.size)]);
  if (h.uid > MAX_ID) pax.push(['uid', String(h.uid)]);
  if (h.gid > MAX_ID) pax.push(['gid', String(h.gid)]);
  if (h.mtime < 0 || h.mtime > MAX_SIZE) pax.push(['mtime', String(h.mtime)]);
  for (const k of Object.keys(h.xattrs ?? {}).sort())
    pax.push([`SCHILY.xattr.${k}`, (h.xattrs as Record<string, Buffer>)[k] as Buffer]);

  const ustar = ustarBlock({
    name: split?.name ?? truncateAscii(basename(name), 100),
    prefix: split?.prefix ?? '',
    mode: h.mode & 0o7777,
    uid: Math.min(h.uid, MAX_ID),
    gid: Math.min(h.gid, MAX_ID),
    size: h.type === 'file' ? Math.min(h.size, MAX_SIZE) : 0,
    mtime: Math.max(0, Math.min(h.mtime, MAX_SIZE)),
    typeflag: TYPEFLAG[h.type],
    linkname: fitsAscii(link, 100) ? link : truncateAscii(link, 100),
    devmajor: h.devmajor ?? 0,
    devminor: h.devminor ?? 0,
  });
  if (base256) writeBase256(ustar, 124, 12, h.size);
  if (pax.length === 0) return ustar;
  if (o.oneBlock)
    throw new Error(`tar header for ${name} needs PAX records (${pax.map(([k]) => k).join(', ')})`);
  const body = paxRecords(pax);
  const paxHeader = ustarBlock({
    name: truncateAscii(`PaxHeaders.0/${basename(name)}`, 100),
    prefix: '',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: body.length,
    mtime: Math.max(0, Math.min(h.mtime, MAX_SIZE)),
    typeflag: 'x',
    linkname: '',
    devmajor: 0,
    devminor: 0,
  });
  return Buffer.concat([paxHeader, body, Buffer.alloc(padding(body.length)), ustar]);
}

/** Zero bytes that round `size` up to a whole block. */
export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** The end-of-archive marker: two zero blocks. */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

interface UstarFields {
  name: string;
  prefix: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  devmajor: number;
  devminor: number;
}

function ustarBlock(f: UstarFields): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(f.name, 0, 100, 'utf8');
  octal(b, 100, 8, f.mode);
  octal(b, 108, 8, f.uid);
  octal(b, 116, 8, f.gid);
  octal(b, 124, 12, f.size);
  octal(b, 136, 12, f.mtime);
  b.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  b.write(f.typeflag, 156, 1, 'ascii');
  b.write(f.linkname, 157, 100, 'utf8');
  b.write('ustar\u000000', 257, 8, 'binary'); // POSIX magic "ustar\0" and version "00"
  // uname (265) and gname (297) stay empty: no host names in a reproducible layer.
  octal(b, 329, 8, f.devmajor);
  octal(b, 337, 8, f.devminor);
  b.write(f.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i] as number;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'binary');
  return b;
}

/** GNU base-256: big-endian with the first byte's high bit set; the checksum is recomputed. */
function writeBase256(b: Buffer, off: number, len: number, v: number): void {
  let x = v;
  for (let i = off + len - 1; i > off; i--) {
    b[i] = x % 256;
    x = Math.floor(x / 256);
  }
  b[off] = 0x80;
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += b[i] as number;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'binary');
}

/** A zero-padded octal number filling `len - 1` digits and a NUL. */
function octal(b: Buffer, off: number, len: number, v: number): void {
  b.write(`${v.toString(8).padStart(len - 1, '0')}\u0000`, off, len, 'ascii');
}

/** PAX records: "<len> <key>=<value>\n", where len counts the whole record including itself. */
function paxRecords(records: [string, string | Buffer][]): Buffer {
  const parts = records.map(([k, v]) => {
    const body = Buffer.concat([
      Buffer.from(` ${k}=`),
      typeof v === 'string' ? Buffer.from(v, 'utf8') : v,
      Buffer.from('\n'),
    ]);
    let len = body.length + 1;
    while (String(len).length + body.length !== len) len = String(len).length + body.length;
    return Buffer.concat([Buffer.from(String(len)), body]);
  });
  return Buffer.concat(parts);
}

/** Splits a name into ustar prefix/name when it is ASCII and fits; undefined when it needs PAX. */
function splitUstarName(name: string): { prefix: string; name: string } | undefined {
  if (!isAscii(name)) return undefined;
  if (name.length <= 100) return { prefix: '', name };
  // The split must happen at a slash: prefix ≤ 155 bytes, name ≤ 100 bytes, name non-empty.
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== '/') continue;
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (rest.length > 100) return undefined;
    if (prefix.length <= 155 && rest.length > 0) return { prefix, name: rest };
  }
  return undefined;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c > 0x7f) return false;
  }
  return true;
}

function fitsAscii(s: string, max: number): boolean {
  return isAscii(s) && s.length <= max;
}

function truncateAscii(s: string, max: number): string {
  let out = '';
  for (const ch of s) out += isAscii(ch) ? ch : '_';
  return out.slice(0, max);
}

function basename(p: string): string {
  const t = p.endsWith('/') ? p.slice(0, -1) : p;
  return t.slice(t.lastIndexOf('/') + 1);
}
