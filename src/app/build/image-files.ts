/**
 * The final image's file tree (all layers applied, whiteouts honoured), for the checks that need
 * it: the entrypoint exists, every ELF's libraries resolve. Layers built in this run give their
 * entries directly; base layers are listed from their blobs once and the listing is remembered
 * in the cache by diffId, so a warm build reads no base layer.
 */
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { decompressStream, type Layer, type LayerEntry, layerCompression } from '../../oci/index.ts';
import type { Cache } from '../../platform/index.ts';
import type { ImageFile } from '../types.ts';

/** A layer of the image, with its entries when this run made them. */
export interface ImageLayer {
  layer: Layer;
  entries?: readonly LayerEntry[];
}

type Listed = [
  path: string,
  type: ImageFile['type'],
  mode: number,
  uid: number,
  gid: number,
  size: number,
  link?: string,
];

const TYPES: Record<string, ImageFile['type']> = {
  file: 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
  'character-device': 'char',
  'block-device': 'block',
  fifo: 'fifo',
};

const clean = (p: string) => p.replace(/^\.?\/+/, '').replace(/\/+$/, '');

/** Lists a layer blob's entries (paths without a leading `/`). */
async function listLayer(layer: Layer): Promise<Listed[]> {
  const out: Listed[] = [];
  const { default: tar } = await import('tar-stream');
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    const t = TYPES[h.type ?? 'file'];
    if (t)
      out.push([
        clean(h.name),
        t,
        h.mode ?? 0,
        h.uid ?? 0,
        h.gid ?? 0,
        h.size ?? 0,
        // A symlink target is kept verbatim (an absolute one means the image root); only a
        // hardlink names a path in the archive.
        ...(h.linkname ? [h.type === 'link' ? clean(h.linkname) : h.linkname] : []),
      ] as Listed);
    stream.on('end', next);
    stream.resume();
  });
  await pipeline(await layer.open(), decompressStream(layerCompression(layer.descriptor.mediaType)), extract);
  return out;
}

/** The listing of a layer, from the cache when it has been listed before. */
async function layerListing(l: ImageLayer, cache: Cache): Promise<Listed[]> {
  if (l.entries)
    return l.entries.map(
      (e) =>
        [
          clean(e.path),
          e.type,
          e.mode,
          e.uid,
          e.gid,
          e.size ?? 0,
          ...(e.linkname ? [e.type === 'hardlink' ? clean(e.linkname) : e.linkname] : []),
        ] as Listed,
    );
  const key = `app-layer-files:v2:${l.layer.diffId}`;
  const hit = await cache.getJson<Listed[]>(key);
  if (hit) return hit;
  const listed = await listLayer(l.layer);
  await cache.putJson(key, listed);
  return listed;
}

/** The merged tree plus a reader for regular files. */
export interface ImageTree {
  files: Map<string, ImageFile>;
  readFile: (path: string) => Promise<Buffer | undefined>;
  /** Follows symlinks (absolute and relative, in every path component) to the path they name; undefined when dangling. */
  resolve: (path: string) => string | undefined;
}

/** Applies the layers bottom to top. */
export async function imageTree(layers: readonly ImageLayer[], cache: Cache): Promise<ImageTree> {
  const files = new Map<string, ImageFile>();
  const from = new Map<string, number>();
  for (const [i, l] of layers.entries()) {
    for (const [path, type, mode, uid, gid, size, link] of await layerListing(l, cache)) {
      const base = posix.basename(path);
      const dir = posix.dirname(path);
      if (base === '.wh..wh..opq') {
        const prefix = dir === '.' ? '' : `${dir}/`;
        for (const k of [...files.keys()]) if (k.startsWith(prefix) && from.get(k) !== i) files.delete(k);
        continue;
      }
      if (base.startsWith('.wh.')) {
        const gone = posix.join(dir, base.slice(4));
        for (const k of [...files.keys()]) if (k === gone || k.startsWith(`${gone}/`)) files.delete(k);
        continue;
      }
      files.set(path, { type, mode, uid, gid, size, ...(link !== undefined ? { linkname: link } : {}) });
      from.set(path, i);
    }
  }
  const resolve = (p: string): string | undefined => {
    let parts = clean(p).split('/').filter(Boolean);
    let out: string[] = [];
    for (let hops = 0; parts.length; ) {
      const part = parts.shift() as string;
      if (part === '.') continue;
      if (part === '..') {
        out.pop();
        continue;
      }
      const cur = [...out, part].join('/');
      const f = files.get(cur);
      if (!f) return undefined;
      if (f.type === 'symlink' && f.linkname !== undefined) {
        if (++hops > 40) return undefined;
        const target = f.linkname.split('/').filter(Boolean);
        parts = [...target, ...parts];
        if (f.linkname.startsWith('/')) out = [];
        continue;
      }
      out.push(part);
    }
    return out.join('/');
  };
  const readFile = async (p: string): Promise<Buffer | undefined> => {
    const path = resolve(p);
    if (path === undefined) return undefined;
    const f = files.get(path);
    if (f?.type !== 'file') return undefined;
    const l = layers[from.get(path) as number] as ImageLayer;
    const e = l.entries?.find((x) => clean(x.path) === path);
    if (e?.content) {
      const c = await e.content();
      if (Buffer.isBuffer(c)) return c;
      const chunks: Buffer[] = [];
      for await (const x of c as Readable) chunks.push(Buffer.from(x));
      return Buffer.concat(chunks);
    }
    return readFromBlob(l.layer, path);
  };
  return { files, readFile, resolve };
}

async function readFromBlob(layer: Layer, path: string): Promise<Buffer | undefined> {
  let found: Buffer | undefined;
  const { default: tar } = await import('tar-stream');
  const extract = tar.extract();
  extract.on('entry', (h, stream, next) => {
    if (clean(h.name) === path && h.type === 'file') {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        found = Buffer.concat(chunks);
        next();
      });
      return;
    }
    stream.on('end', next);
    stream.resume();
  });
  await pipeline(await layer.open(), decompressStream(layerCompression(layer.descriptor.mediaType)), extract);
  return found;
}
