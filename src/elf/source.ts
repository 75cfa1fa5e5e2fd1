/**
 * Random-access byte sources for the ELF reader. The reader asks for a few small ranges (header,
 * program headers, dynamic section, strings) so a large binary is never read whole when the source
 * can seek (a path, a file handle, a Buffer).
 */
import { type FileHandle, open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ElfError } from './errors.ts';

/** Bytes that can be read at any offset. `read` may return fewer bytes than asked at end of input. */
export interface ByteSource {
  /** Total size in bytes, when known up front. */
  readonly size?: number;
  /** Reads up to `length` bytes at `offset`; a shorter result means the input ended. */
  read(offset: number, length: number): Promise<Buffer>;
  /** Releases what the source holds open (a file descriptor, a stream); idempotent. */
  close?(): Promise<void>;
}

/** A source over bytes already in memory. */
export function bufferSource(buf: Buffer | Uint8Array): ByteSource {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  return {
    size: b.length,
    read: async (offset, length) =>
      b.subarray(Math.min(offset, b.length), Math.min(offset + length, b.length)),
  };
}

/** A source over an open file handle (not closed by `close`: the caller owns it). */
export function handleSource(fh: FileHandle, size?: number): ByteSource {
  return {
    ...(size === undefined ? {} : { size }),
    async read(offset, length) {
      const out = Buffer.alloc(length);
      let got = 0;
      while (got < length) {
        const { bytesRead } = await fh.read(out, got, length - got, offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return out.subarray(0, got);
    },
  };
}

/** Opens `path` for reading; `close()` closes it. */
export async function fileSource(path: string): Promise<ByteSource> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (cause) {
    throw new ElfError('ELF_READ_FAILED', `cannot open ${path}: ${(cause as Error).message}`, { cause });
  }
  const st = await fh.stat();
  const src = handleSource(fh, st.size);
  let closed = false;
  return {
    size: st.size,
    read: src.read,
    async close() {
      if (!closed) {
        closed = true;
        await fh.close();
      }
    },
  };
}

/**
 * A source over a stream that can only be read forwards (e.g. a file's content inside a layer tar).
 * Bytes are kept from the start up to the furthest offset asked for; the stream is destroyed on
 * `close()`, so the rest of a large file is never read when the dynamic section sits early on.
 */
export function streamSource(
  open: () => Readable | Buffer | Promise<Readable | Buffer>,
  size?: number,
): ByteSource {
  let chunks: Buffer[] = [];
  let have = 0;
  let ended = false;
  let stream: Readable | undefined;
  let iter: AsyncIterator<Buffer> | undefined;
  let whole: Buffer | undefined;
  async function fill(upTo: number): Promise<void> {
    if (whole) return;
    if (!iter && !ended) {
      const s = await open();
      if (Buffer.isBuffer(s)) {
        whole = s;
        return;
      }
      stream = s;
      iter = s[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    }
    while (have < upTo && !ended && iter) {
      const r = await iter.next();
      if (r.done) {
        ended = true;
        break;
      }
      const c = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      chunks.push(c);
      have += c.length;
    }
    if (chunks.length > 1) chunks = [Buffer.concat(chunks)];
  }
  return {
    ...(size === undefined ? {} : { size }),
    async read(offset, length) {
      await fill(offset + length);
      const b = whole ?? chunks[0] ?? Buffer.alloc(0);
      return b.subarray(Math.min(offset, b.length), Math.min(offset + length, b.length));
    },
    async close() {
      stream?.destroy();
      ended = true;
      chunks = [];
      whole = undefined;
    },
  };
}
