/** Real images for registry end-to-end tests, with layers streamed from files on disk. */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  createImage,
  createIndex,
  fileLayer,
  type Image,
  type Index,
  type Layer,
  MediaTypes,
  sha256,
} from '../../src/oci/index.ts';
import { tarOf } from '../helpers/images.ts';

let seq = 0;

/** A gzip layer of `files`, written to `dir` and read back from there when pushed. */
export async function diskLayer(dir: string, files: Record<string, string | Buffer>): Promise<Layer> {
  const tar = await tarOf(files);
  const gz = gzipSync(tar);
  const path = join(dir, `layer-${seq++}.tar.gz`);
  await writeFile(path, gz);
  return fileLayer(
    path,
    { mediaType: MediaTypes.ociLayerGzip, digest: sha256(gz), size: gz.length },
    sha256(tar),
    tar.length,
  );
}

export async function diskImage(
  layers: Layer[],
  opts: { architecture?: string; variant?: string; format?: 'oci' | 'docker' } = {},
): Promise<Image> {
  return createImage({
    config: {
      architecture: opts.architecture ?? 'amd64',
      os: 'linux',
      ...(opts.variant ? { variant: opts.variant } : {}),
      created: '1970-01-01T00:00:00Z',
      config: { Cmd: ['/hello'], Labels: { 'distill.test': String(seq) } },
    },
    layers:
      opts.format === 'docker'
        ? layers.map((l) => ({
            ...l,
            descriptor: { ...l.descriptor, mediaType: MediaTypes.dockerLayerGzip },
          }))
        : layers,
    format: opts.format ?? 'oci',
  });
}

/** A unique small image: one shared-looking base layer and one unique layer. */
export async function smallImage(dir: string, base?: Layer): Promise<Image> {
  const b = base ?? (await diskLayer(dir, { 'etc/os-release': 'ID=distill-test\n' }));
  return diskImage([b, await diskLayer(dir, { 'app/id': randomBytes(8).toString('hex') })]);
}

/** A two-platform index sharing its base layer. */
export async function twoPlatformIndex(dir: string): Promise<Index> {
  const base = await diskLayer(dir, { 'etc/os-release': `ID=${randomBytes(4).toString('hex')}\n` });
  return createIndex([
    await diskImage([base, await diskLayer(dir, { 'app/arch': 'amd64' })]),
    await diskImage([base, await diskLayer(dir, { 'app/arch': 'arm64' })], {
      architecture: 'arm64',
      variant: 'v8',
    }),
  ]);
}
