/**
 * Streams a tar archive from normalized entries. File contents are opened one at a time and
 * passed through in chunks, so a layer is never held whole in memory; small pieces (headers,
 * small files) are gathered into ~1 MiB chunks to keep the downstream pipeline cheap.
 */
import { Readable } from 'node:stream';
import { OciError } from '../errors.ts';
import type { LayerEntry } from './entry.ts';
import { END_OF_ARCHIVE, encodeHeader, padding } from './header.ts';

const CHUNK = 1 << 20;

/** A tar stream of entries that are already normalized (normalizeEntries). */
export function tarStream(entries: readonly LayerEntry[]): Readable {
  return Readable.from(chunks(entries), { objectMode: false, highWaterMark: 4 * CHUNK });
}

async function* chunks(entries: readonly LayerEntry[]): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = (): Buffer => {
    const b = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return b;
  };
  const push = (b: Buffer): boolean => {
    pending.push(b);
    pendingBytes += b.length;
    return pendingBytes >= CHUNK;
  };

  for (const e of entries) {
    const size = e.type === 'file' ? (e.size ?? 0) : 0;
    const header = encodeHeader({
      path: e.path,
      type: e.type,
      mode: e.mode,
      uid: e.uid,
      gid: e.gid,
      mtime: e.mtime ?? 0,
      size,
      ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
      ...(e.devmajor !== undefined ? { devmajor: e.devmajor } : {}),
      ...(e.devminor !== undefined ? { devminor: e.devminor } : {}),
      ...(e.xattrs ? { xattrs: e.xattrs } : {}),
    });
    if (push(header)) yield flush();
    if (e.type !== 'file' || size === 0) continue;
    const content = await (e.content as NonNullable<LayerEntry['content']>)();
    let got = 0;
    if (Buffer.isBuffer(content)) {
      got = content.length;
      if (got === size && push(content)) yield flush();
    } else {
      for await (const c of content as AsyncIterable<Buffer>) {
        got += c.length;
        if (got > size) break;
        if (c.length >= CHUNK / 4) {
          if (pendingBytes) yield flush();
          yield c;
        } else if (push(c)) yield flush();
      }
      (content as Readable).destroy?.();
    }
    if (got !== size) {
      throw new OciError(
        'LAYER_SOURCE_INVALID',
        `${e.path}: content has ${got > size ? 'more than ' : ''}${got} bytes, expected ${size} (changed while reading?)`,
      );
    }
    const pad = padding(size);
    if (pad && push(Buffer.alloc(pad))) yield flush();
  }
  push(END_OF_ARCHIVE);
  yield flush();
}
