/**
 * Just enough of the zip format to read a few entries of a jar or wheel held in memory: the
 * end-of-central-directory record, the central directory, and a local entry (stored or deflated).
 * Zip64 archives (over 4 GB or 65535 entries) are refused with a clear error rather than misread.
 * Shared by `distill build` (jar manifests) and the image inventory (Maven pom.properties).
 */
import { inflateRawSync } from 'node:zlib';
import { CodedError } from '../coded-error.ts';

export type ZipErrorCode =
  /** Not a zip, truncated, zip64, or an entry that does not inflate. */ 'ZIP_INVALID';
export class ZipError extends CodedError<ZipErrorCode> {}

/** One central-directory entry. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const EOCD = 0x06054b50;
const CEN = 0x02014b50;
const LOC = 0x04034b50;

const bad = (what: string, msg: string) => new ZipError('ZIP_INVALID', `${what}: ${msg}`);

/** The central directory of a zip held in memory. */
export function zipEntries(zip: Buffer, what = 'zip'): ZipEntry[] {
  // The EOCD record is the last 22 bytes plus a comment of at most 65535 bytes.
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--)
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw bad(what, 'not a zip file (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  const size = zip.readUInt32LE(eocd + 12);
  const offset = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw bad(what, 'zip64 archives are not supported');
  if (offset + size > eocd) throw bad(what, 'central directory outside the file');
  const out: ZipEntry[] = [];
  let p = offset;
  for (let i = 0; i < count; i++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== CEN)
      throw bad(what, `bad central directory entry ${i}`);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    out.push({
      method: zip.readUInt16LE(p + 10),
      compressedSize: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      localOffset: zip.readUInt32LE(p + 42),
      name: zip.toString('utf8', p + 46, p + 46 + nameLen),
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The uncompressed bytes of one entry. */
export function zipRead(zip: Buffer, entry: ZipEntry, what = 'zip'): Buffer {
  const p = entry.localOffset;
  if (p + 30 > zip.length || zip.readUInt32LE(p) !== LOC)
    throw bad(what, `bad local header for ${entry.name}`);
  const start = p + 30 + zip.readUInt16LE(p + 26) + zip.readUInt16LE(p + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) throw bad(what, `${entry.name} is truncated`);
  let out: Buffer;
  if (entry.method === 0) out = Buffer.from(data);
  else if (entry.method === 8) {
    try {
      // Never more than the directory declares: a lying entry cannot inflate into gigabytes.
      out = inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) });
    } catch (err) {
      throw bad(what, `${entry.name} does not inflate: ${(err as Error).message}`);
    }
  } else throw bad(what, `${entry.name} uses compression method ${entry.method}`);
  if (out.length !== entry.size)
    throw bad(what, `${entry.name} is ${out.length} bytes, the directory says ${entry.size}`);
  return out;
}
