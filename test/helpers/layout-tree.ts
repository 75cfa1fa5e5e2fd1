/**
 * The final file tree of one image in an OCI layout, read with tar-stream (an independent
 * reader, not distill's): every layer in order, later entries replacing earlier ones, OCI
 * whiteouts applied. For tests that check what an image holds without running it.
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

/** A tar header's type as the trees name it. */
export function entryType(t: string | null | undefined): 'file' | 'dir' | 'symlink' | 'link' | 'other' {
  if (t === 'file' || t === 'contiguous-file') return 'file';
  if (t === 'directory') return 'dir';
  if (t === 'symlink' || t === 'link') return t;
  return 'other';
}

export interface TreeEntry {
  /** Relative, no leading `./` or `/`: `usr/bin/python3.13`. */
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'link' | 'other';
  mode: number;
  uid: number;
  gid: number;
  linkname?: string;
  /** Contents of regular files whose path `want` picked. */
  body?: Buffer;
}

const blob = (layout: string, digest: string) =>
  join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));

/** The manifest of the layout's only (or first) image; an index is followed to its first manifest. */
export async function layoutManifest(layout: string): Promise<{
  layers: { digest: string; mediaType: string }[];
  config: { digest: string };
  annotations?: Record<string, string>;
}> {
  const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8'));
  let m = JSON.parse(await readFile(blob(layout, index.manifests[0].digest), 'utf8'));
  while (m.manifests) m = JSON.parse(await readFile(blob(layout, m.manifests[0].digest), 'utf8'));
  return m;
}

/** The final tree of the layout's (first) image, by path. */
export async function layoutTree(
  layout: string,
  want: (path: string) => boolean = () => false,
): Promise<Map<string, TreeEntry>> {
  const tree = new Map<string, TreeEntry>();
  const m = await layoutManifest(layout);
  for (const l of m.layers) {
    if (!/gzip/.test(l.mediaType)) throw new Error(`layout-tree reads gzip layers only, not ${l.mediaType}`);
    const x = extract();
    x.on('entry', (h, stream, next) => {
      const path = h.name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
      const base = path.split('/').pop() ?? '';
      const parent = path.slice(0, path.length - base.length).replace(/\/$/, '');
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => {
        if (want(path)) chunks.push(c as Buffer);
      });
      stream.on('end', () => {
        if (base === '.wh..wh..opq') {
          for (const k of [...tree.keys()]) if (k.startsWith(`${parent}/`)) tree.delete(k);
        } else if (base.startsWith('.wh.')) {
          const gone = parent ? `${parent}/${base.slice(4)}` : base.slice(4);
          for (const k of [...tree.keys()]) if (k === gone || k.startsWith(`${gone}/`)) tree.delete(k);
        } else if (path) {
          const type = entryType(h.type);
          tree.set(path, {
            path,
            type,
            mode: h.mode ?? 0,
            uid: h.uid ?? 0,
            gid: h.gid ?? 0,
            ...(h.linkname ? { linkname: h.linkname } : {}),
            ...(type === 'file' && want(path) ? { body: Buffer.concat(chunks) } : {}),
          });
        }
        next();
      });
      stream.resume();
    });
    await pipeline(createReadStream(blob(layout, l.digest)), createGunzip(), x);
  }
  return tree;
}
