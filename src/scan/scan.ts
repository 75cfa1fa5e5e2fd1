/**
 * Reads an image's layers once, bottom to top, as a stream (never a whole layer in memory) and
 * applies them as a container runtime would: later entries replace earlier ones, `.wh.NAME`
 * deletes NAME and everything under it, `.wh..wh..opq` empties a directory of what lower layers
 * put there. What a later layer hides is remembered (dive's wasted bytes, each shipped copy
 * once). The caller picks which files' bytes to keep (`want`); only their final versions stay.
 */
import { posix } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CodedError } from '../coded-error.ts';
import { decompressStream, type Image, type Layer, OciError } from '../oci/index.ts';
import type { FileEntry, HiddenFile, ImageFiles, LayerSummary } from './types.ts';

/**
 * Reduces a wanted file's stream to the few bytes worth keeping (e.g. a version string found in a
 * 120 MB binary). It must read the stream to its end.
 */
export type ContentReducer = (body: Readable) => Promise<Buffer>;

export interface ScanOptions {
  /**
   * Keep the bytes of this regular file (called for each file entry, in every layer); a function
   * instead of `true` keeps what it makes of the bytes rather than the bytes.
   */
  want?: (path: string, size: number) => boolean | ContentReducer;
  /** Largest file kept (bytes); larger wanted files are skipped. Default 256 MiB. */
  maxContent?: number;
}

const TYPES: Record<string, FileEntry['type']> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
};

/** `./usr/bin/` → `/usr/bin`; `` and `./` → `/`. */
export function normalisePath(name: string): string {
  const p = posix.normalize(`/${name}`).replace(/\/+$/, '');
  return p === '' ? '/' : p;
}

/** Scans every layer of `image`. */
export async function scanImage(image: Image, opts: ScanOptions = {}): Promise<ImageFiles> {
  const files = new Map<string, FileEntry>();
  const contents = new Map<string, Buffer>();
  const hidden: HiddenFile[] = [];
  const layers: LayerSummary[] = [];
  const max = opts.maxContent ?? 256 * 1024 * 1024;

  const hide = (path: string, by: number) => {
    const old = files.get(path);
    if (old?.type === 'file' && old.size > 0)
      hidden.push({ path, size: old.size, layer: old.layer, hiddenBy: by });
    files.delete(path);
    contents.delete(path);
  };
  const hideTree = (path: string, by: number, keep?: (e: FileEntry) => boolean) => {
    const prefix = path === '/' ? '/' : `${path}/`;
    for (const [k, e] of files) if (k.startsWith(prefix) && !keep?.(e)) hide(k, by);
  };

  for (const [i, layer] of image.layers.entries()) {
    let entries = 0;
    const counter = new ByteCounter();
    await walkLayerTar(layer, counter, async (h, body) => {
      entries++;
      const path = normalisePath(h.name);
      const base = posix.basename(path);
      const dir = posix.dirname(path);
      if (base === '.wh..wh..opq') {
        hideTree(dir, i, (e) => e.layer === i);
        return;
      }
      if (base.startsWith('.wh.')) {
        const gone = posix.join(dir, base.slice(4));
        hide(gone, i);
        hideTree(gone, i);
        return;
      }
      const type = TYPES[h.type ?? 'file'] ?? 'other';
      const prev = files.get(path);
      if (prev) {
        // A directory over a directory only changes its metadata; anything else replaces.
        if (!(prev.type === 'dir' && type === 'dir')) hide(path, i);
        if (prev.type === 'dir' && type !== 'dir') hideTree(path, i);
      }
      const size = type === 'file' ? (h.size ?? 0) : 0;
      const linkname =
        h.linkname === undefined || h.linkname === null
          ? undefined
          : type === 'hardlink'
            ? normalisePath(h.linkname)
            : h.linkname;
      files.set(path, {
        path,
        type,
        mode: (h.mode ?? 0) & 0o7777,
        uid: h.uid ?? 0,
        gid: h.gid ?? 0,
        size,
        ...(linkname !== undefined ? { linkname } : {}),
        layer: i,
      });
      const wanted = type === 'file' && size <= max ? opts.want?.(path, size) : false;
      if (wanted) contents.set(path, await (typeof wanted === 'function' ? wanted(body) : collect(body)));
      else if (type === 'hardlink' && linkname && contents.has(linkname) && opts.want?.(path, 0))
        contents.set(path, contents.get(linkname) as Buffer);
    });
    layers.push({
      digest: layer.descriptor.digest,
      diffId: layer.diffId,
      size: layer.descriptor.size,
      uncompressedSize: counter.bytes,
      entries,
    });
  }
  return { files, contents, hidden, layers };
}

/** A layer entry's header, as tar-stream gives it (type: file, directory, symlink, link, …). */
export interface TarHeader {
  name: string;
  type?: string | null;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
  linkname?: string | null;
  mtime?: Date;
}

/** Counts the bytes of the uncompressed tar going through. */
class ByteCounter extends Transform {
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null, d?: Buffer) => void): void {
    this.bytes += chunk.length;
    cb(null, chunk);
  }
}

/**
 * Streams a layer's tar entries to `onEntry`, one at a time (the scan's and `distill run`'s unpack's
 * one reader of layer blobs). The uncompressed tar flows through `through` (a byte counter, a
 * hasher) on its way. The compression is read from the blob's first bytes, not its media type:
 * `docker save` writes plain tars under a gzip media type.
 */
export async function walkLayerTar(
  layer: Layer,
  through: Transform,
  onEntry: (h: TarHeader, body: Readable) => Promise<void>,
): Promise<void> {
  const { default: tar } = await import('tar-stream');
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const body = stream as unknown as Readable;
    onEntry(h as TarHeader, body).then(
      () => {
        if (body.readableEnded || body.destroyed) return next();
        body.on('end', () => next());
        body.resume();
      },
      (err: unknown) => next(err as Error),
    );
  });
  const raw = await layer.open();
  try {
    await pipeline([...(await decompressed(raw)), through, extract]);
  } catch (err) {
    // A coded error is the layer's own (OCI) or the caller's (from onEntry): it stays as it is.
    if (err instanceof CodedError) throw err;
    throw new OciError(
      'LAYER_SOURCE_INVALID',
      `layer ${layer.descriptor.digest} is not a readable tar: ${(err as Error).message}`,
      { cause: err },
    );
  }
}

/** The tar inside a blob: gzip or zstd by magic number, a plain tar as it is. */
async function decompressed(raw: Readable): Promise<Readable[]> {
  const it = raw[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let len = 0;
  let done = false;
  while (len < 4 && !done) {
    const n = await it.next();
    if (n.done) done = true;
    else {
      head.push(n.value);
      len += n.value.length;
    }
  }
  const first = Buffer.concat(head);
  const rest = Readable.from(
    (async function* () {
      if (first.length) yield first;
      if (done) return;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value;
      }
    })(),
    { objectMode: false },
  );
  const gzip = first[0] === 0x1f && first[1] === 0x8b;
  const zstd = first.length >= 4 && first.readUInt32LE(0) === 0xfd2fb528;
  if (!gzip && !zstd) return [rest];
  return [rest, decompressStream(gzip ? 'gzip' : 'zstd')];
}

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
