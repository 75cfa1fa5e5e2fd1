/**
 * A tar being written to a file by offset. A streamed entry's header is written with size 0 and
 * rewritten once the data has passed, so a layer whose uncompressed size is unknown is still
 * written in one pass (decompressed once, never buffered).
 */
import type { FileHandle } from 'node:fs/promises';
import type { EntryType } from '../tar/entry.ts';
import { END_OF_ARCHIVE, encodeHeader, padding } from '../tar/header.ts';

/** One fixed-size block (rewritable in place), root-owned, at the archive's mtime. */
function tarHeader(f: {
  name: string;
  type: EntryType;
  size: number;
  mode: number;
  mtime: number;
  linkname?: string;
}): Buffer {
  return encodeHeader(
    {
      path: f.name,
      type: f.type,
      size: f.size,
      mode: f.mode,
      uid: 0,
      gid: 0,
      mtime: f.mtime,
      ...(f.linkname ? { linkname: f.linkname } : {}),
    },
    { oneBlock: true },
  );
}

const pad = (n: number) => Buffer.alloc(padding(n));

export class TarFile {
  private pos = 0;
  constructor(
    private readonly fh: FileHandle,
    private readonly mtime: number,
  ) {}

  async file(name: string, data: Buffer): Promise<void> {
    await this.put(tarHeader({ name, type: 'file', size: data.length, mode: 0o644, mtime: this.mtime }));
    await this.put(data);
    await this.put(pad(data.length));
  }

  async dir(name: string): Promise<void> {
    await this.put(tarHeader({ name, type: 'dir', size: 0, mode: 0o755, mtime: this.mtime }));
  }

  async symlink(name: string, target: string): Promise<void> {
    await this.put(
      tarHeader({ name, type: 'symlink', size: 0, mode: 0o777, mtime: this.mtime, linkname: target }),
    );
  }

  /** Writes an entry from a stream; resolves to the number of bytes it held. */
  async stream(name: string, chunks: AsyncIterable<Buffer>): Promise<number> {
    const at = this.pos;
    await this.put(tarHeader({ name, type: 'file', size: 0, mode: 0o644, mtime: this.mtime }));
    let n = 0;
    // Batch small chunks (zlib yields 16 KiB) into ~1 MiB writes: fewer syscalls and awaits.
    let batch: Buffer[] = [];
    let batched = 0;
    for await (const c of chunks) {
      batch.push(c);
      batched += c.length;
      n += c.length;
      if (batched >= 1 << 20) {
        await this.put(Buffer.concat(batch, batched));
        batch = [];
        batched = 0;
      }
    }
    if (batched) await this.put(Buffer.concat(batch, batched));
    await this.put(pad(n));
    const h = tarHeader({ name, type: 'file', size: n, mode: 0o644, mtime: this.mtime });
    await this.fh.write(h, 0, h.length, at);
    return n;
  }

  async end(): Promise<void> {
    await this.put(END_OF_ARCHIVE);
    await this.fh.sync();
  }

  private async put(b: Buffer): Promise<void> {
    let off = 0;
    while (off < b.length) {
      const { bytesWritten } = await this.fh.write(b, off, b.length - off, this.pos);
      off += bytesWritten;
      this.pos += bytesWritten;
    }
  }
}
