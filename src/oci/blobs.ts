/** Layer and blob implementations over a file on disk or bytes in memory. */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { Digest } from './digest.ts';
import type { Blob, Layer } from './image.ts';
import type { Descriptor } from './types.ts';

/** A blob stored in a file (a layout's blobs/, the cache). */
export function fileBlob(path: string, descriptor: Descriptor): Blob {
  return { descriptor, open: async () => createReadStream(path) };
}

/** A layer whose compressed bytes are the file at `path`. */
export function fileLayer(
  path: string,
  descriptor: Descriptor,
  diffId: Digest,
  uncompressedSize?: number,
): Layer {
  return {
    descriptor,
    diffId,
    ...(uncompressedSize !== undefined ? { uncompressedSize } : {}),
    open: async () => createReadStream(path),
  };
}

/** A layer held in memory: for small generated layers and tests. */
export function bytesLayer(
  bytes: Buffer,
  descriptor: Descriptor,
  diffId: Digest,
  uncompressedSize?: number,
): Layer {
  return {
    descriptor,
    diffId,
    ...(uncompressedSize !== undefined ? { uncompressedSize } : {}),
    open: async () => Readable.from([bytes]),
  };
}
