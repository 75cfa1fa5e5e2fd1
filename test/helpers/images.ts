/**
 * Small real images for tests, built in memory: a tar made with tar-stream (an independent
 * writer, not distill's), gzip-compressed, wrapped as a Layer, and put under createImage.
 */
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import {
  bytesLayer,
  createImage,
  createIndex,
  type Image,
  type Index,
  type Layer,
  MediaTypes,
  sha256,
} from '../../src/oci/index.ts';

/** A tar of `files` (path → content), ownership 0:0, mtime 0. */
export async function tarOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const p = pack();
  for (const [name, content] of Object.entries(files)) {
    p.entry({ name, mode: 0o644, uid: 0, gid: 0, mtime: new Date(0) }, content);
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A gzip layer of `files`, held in memory. */
export async function gzipLayer(files: Record<string, string | Buffer>): Promise<Layer> {
  return gzipLayerOfTar(await tarOf(files));
}

/** A gzip layer of an uncompressed tar, held in memory. */
export function gzipLayerOfTar(tar: Buffer): Layer {
  const gz = gzipSync(tar);
  return bytesLayer(
    gz,
    { mediaType: MediaTypes.ociLayerGzip, digest: sha256(gz), size: gz.length },
    sha256(tar),
    tar.length,
  );
}

/** An image with one gzip layer per element of `layers`. */
export async function testImage(
  layers: Record<string, string>[] = [{ 'hello.txt': 'hello\n' }],
  opts: { architecture?: string; variant?: string; cmd?: string[]; labels?: Record<string, string> } = {},
): Promise<Image> {
  const ls = await Promise.all(layers.map((f) => gzipLayer(f)));
  return createImage({
    config: {
      architecture: opts.architecture ?? 'amd64',
      os: 'linux',
      ...(opts.variant ? { variant: opts.variant } : {}),
      created: '1970-01-01T00:00:00Z',
      config: {
        Cmd: opts.cmd ?? ['/hello'],
        Env: ['PATH=/usr/bin:/bin'],
        ...(opts.labels ? { Labels: opts.labels } : {}),
      },
    },
    layers: ls,
  });
}

/** A two-platform index (amd64, arm64/v8) over small images. */
export async function testIndex(): Promise<Index> {
  const amd = await testImage([{ 'a.txt': 'amd64' }]);
  const arm = await testImage([{ 'a.txt': 'arm64' }], { architecture: 'arm64', variant: 'v8' });
  return createIndex([amd, arm]);
}
