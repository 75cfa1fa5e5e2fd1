/** Small images and indexes for registry tests: random layer bytes (the registry never unpacks them). */
import { randomBytes } from 'node:crypto';
import { bytesLayer } from '../../oci/blobs.ts';
import { createImage, createIndex } from '../../oci/build.ts';
import { sha256 } from '../../oci/digest.ts';
import type { Image, Index, Layer } from '../../oci/image.ts';
import { MediaTypes } from '../../oci/media-types.ts';

/** A layer of `size` random bytes (typed gzip; its diffId is a stand-in). */
export function randomLayer(size = 1024): Layer {
  const bytes = randomBytes(size);
  return bytesLayer(
    bytes,
    { mediaType: MediaTypes.ociLayerGzip, digest: sha256(bytes), size },
    sha256(Buffer.concat([bytes, Buffer.from('diff')])),
  );
}

export function testImage(
  opts: { arch?: string; variant?: string; layers?: Layer[]; format?: 'oci' | 'docker' } = {},
): Image {
  const layers = opts.layers ?? [randomLayer(), randomLayer(2048)];
  return createImage({
    config: {
      architecture: opts.arch ?? 'amd64',
      os: 'linux',
      ...(opts.variant ? { variant: opts.variant } : {}),
      config: { Entrypoint: ['/app'] },
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

/** A two-platform index (amd64, arm64) sharing its first layer. */
export function testIndex(shared: Layer = randomLayer()): Index {
  return createIndex([
    testImage({ arch: 'amd64', layers: [shared, randomLayer(512)] }),
    testImage({ arch: 'arm64', variant: 'v8', layers: [shared, randomLayer(777)] }),
  ]);
}
