/**
 * The ar container of a .deb: `!<arch>\n`, then members with 60-byte headers, data padded to even
 * offsets. Only headers are read; members are returned as byte ranges of the file so callers can
 * stream them without loading the package.
 */
import type { FileHandle } from 'node:fs/promises';
import { DebError } from './errors.ts';

/** One ar member as a byte range of the archive file. */
export interface ArMember {
  name: string;
  /** Byte offset of the member's data in the file. */
  offset: number;
  size: number;
}

const MAGIC = '!<arch>\n';

/** Lists the members of an ar archive opened as `fh` (of `fileSize` bytes); `what` names it in errors. */
export async function readArMembers(fh: FileHandle, fileSize: number, what: string): Promise<ArMember[]> {
  const head = Buffer.alloc(60);
  const magic = Buffer.alloc(8);
  const { bytesRead } = await fh.read(magic, 0, 8, 0);
  if (bytesRead < 8 || magic.toString('latin1') !== MAGIC) {
    if (bytesRead < 8 && MAGIC.startsWith(magic.subarray(0, bytesRead).toString('latin1')))
      throw new DebError('DEB_TRUNCATED', `${what}: ends inside the ar signature`);
    throw new DebError('DEB_FORMAT_INVALID', `${what}: not an ar archive (no !<arch> signature)`);
  }
  const members: ArMember[] = [];
  let pos = 8;
  while (pos < fileSize) {
    const { bytesRead: n } = await fh.read(head, 0, 60, pos);
    if (n < 60) throw new DebError('DEB_TRUNCATED', `${what}: ends inside an ar member header at ${pos}`);
    if (head[58] !== 0x60 || head[59] !== 0x0a)
      throw new DebError('DEB_FORMAT_INVALID', `${what}: bad ar member header at offset ${pos}`);
    // GNU ar ends names with '/', BSD/dpkg pads with spaces.
    const name = head.toString('latin1', 0, 16).trimEnd().replace(/\/$/, '');
    const sizeText = head.toString('latin1', 48, 58).trim();
    if (!/^\d+$/.test(sizeText))
      throw new DebError('DEB_FORMAT_INVALID', `${what}: bad ar member size ${JSON.stringify(sizeText)}`);
    const size = Number(sizeText);
    const offset = pos + 60;
    if (offset + size > fileSize)
      throw new DebError(
        'DEB_TRUNCATED',
        `${what}: member ${name} needs ${size} bytes at ${offset}, file has ${fileSize} (truncated download?)`,
      );
    members.push({ name, offset, size });
    pos = offset + size + (size % 2);
  }
  return members;
}
