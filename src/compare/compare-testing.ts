/**
 * Test helper: small real images for compare's tests, layer by layer, with the entry types,
 * modes and links the facts depend on (tar-stream writes them, not distill's writer).
 */
import { pack } from 'tar-stream';
import { gzipLayerOfTar } from '../../test/helpers/images.ts';
import { createImage, type Image } from '../oci/index.ts';

/** `path → content` (a file), `{ link }` (a symlink), `{ dir: true }`, or a file with a mode. */
export type Entry = string | { link: string } | { dir: true } | { content: string; mode: number };

async function layer(entries: Record<string, Entry>) {
  const p = pack();
  for (const [name, e] of Object.entries(entries)) {
    const base = { name, uid: 0, gid: 0, mtime: new Date(0) };
    if (typeof e === 'string') p.entry({ ...base, mode: 0o755 }, e);
    else if ('link' in e) p.entry({ ...base, type: 'symlink', linkname: e.link, mode: 0o777 });
    else if ('dir' in e) p.entry({ ...base, type: 'directory', mode: 0o755 });
    else p.entry({ ...base, mode: e.mode }, e.content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return gzipLayerOfTar(Buffer.concat(chunks));
}

/** An amd64 image of these layers, running as `user`, with history lines `createdBy`. */
export async function entriesImage(
  layers: Record<string, Entry>[],
  o: { user?: string; createdBy?: string[] } = {},
): Promise<Image> {
  return createImage({
    config: {
      architecture: 'amd64',
      os: 'linux',
      created: '1970-01-01T00:00:00Z',
      config: { ...(o.user !== undefined ? { User: o.user } : {}), Cmd: ['/app'] },
      history: layers.map((_, i) => ({
        created: '1970-01-01T00:00:00Z',
        created_by: o.createdBy?.[i] ?? `layer ${i}`,
      })),
    },
    layers: await Promise.all(layers.map(layer)),
  });
}

/** Alpine as its files say it: musl's loader, busybox and its sh link, apk and its database. */
export const ALPINE: Record<string, Entry> = {
  'etc/os-release': 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n',
  'lib/ld-musl-x86_64.so.1': 'ELF',
  'lib/libc.musl-x86_64.so.1': { link: 'ld-musl-x86_64.so.1' },
  'bin/busybox': 'ELF',
  'bin/sh': { link: '/bin/busybox' },
  'sbin/apk': 'ELF',
  'lib/apk/db/installed':
    'P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\n\nP:busybox\nV:1.36.1-r29\nA:x86_64\nL:GPL-2.0-only\no:busybox\n\nP:apk-tools\nV:2.14.4-r1\nA:x86_64\nL:GPL-2.0-only\no:apk-tools\n',
  'bin/su': { content: 'ELF', mode: 0o4755 },
};
