/** Images with chosen modes, owners and links, for audit tests: a tar by tar-stream, in memory. */
import { pack } from 'tar-stream';
import {
  bytesLayer,
  type ContainerConfig,
  createImage,
  type Image,
  MediaTypes,
  sha256,
} from '../oci/index.ts';

/** One tar entry: a file (content), a dir (`dir: true`), a symlink (`link`) or a hardlink (`hard`). */
export interface TestEntry {
  content?: string | Buffer;
  dir?: boolean;
  link?: string;
  hard?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

async function tar(entries: Record<string, TestEntry | string>): Promise<Buffer> {
  const p = pack();
  for (const [name, raw] of Object.entries(entries)) {
    const e: TestEntry = typeof raw === 'string' ? { content: raw } : raw;
    const base = { name, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date(0) };
    if (e.dir) p.entry({ ...base, type: 'directory', mode: e.mode ?? 0o755 });
    else if (e.link !== undefined) p.entry({ ...base, type: 'symlink', linkname: e.link, mode: 0o777 });
    else if (e.hard !== undefined)
      p.entry({ ...base, type: 'link', linkname: e.hard, mode: e.mode ?? 0o755 });
    else p.entry({ ...base, mode: e.mode ?? 0o644 }, e.content ?? '');
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** An image of plain-tar layers (bottom first) and this container config. */
export async function auditTestImage(
  layers: Record<string, TestEntry | string>[],
  config: ContainerConfig = {},
): Promise<Image> {
  const ls = [];
  for (const l of layers) {
    const t = await tar(l);
    ls.push(
      bytesLayer(
        t,
        { mediaType: MediaTypes.ociLayer, digest: sha256(t), size: t.length },
        sha256(t),
        t.length,
      ),
    );
  }
  return createImage({
    config: { architecture: 'amd64', os: 'linux', created: '1970-01-01T00:00:00Z', config },
    layers: ls,
  });
}
