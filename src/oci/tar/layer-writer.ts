/**
 * The deterministic layer writer: entries → sorted tar → (gzip | zstd) → a blob file named by
 * its digest. The diffID (uncompressed) and digest (compressed) are computed while streaming;
 * the blob is written to a temporary name beside its final one and renamed when complete.
 */

import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { holdTemp, tempPath } from '../../files/index.ts';
import { fileLayer } from '../blobs.ts';
import { compressStream } from '../compression.ts';
import { DigestStream, digestHex } from '../digest.ts';
import type { Layer } from '../image.ts';
import { type Compression, ociLayerMediaType } from '../media-types.ts';
import type { LayerEntry } from './entry.ts';
import { normalizeEntries } from './normalize.ts';
import { tarStream } from './writer.ts';

export interface LayerWriteOptions {
  /** Directory the blob lands in, as `<dir>/<sha256 hex>`. */
  dir: string;
  /** Default gzip. */
  compression?: Compression;
  /** Compression level (gzip 1–9, default 6; zstd 1–19, default 3). */
  level?: number;
  /** Seconds since the epoch for entries without an mtime (SOURCE_DATE_EPOCH; default 0). */
  mtime?: number;
  /** Extra annotations on the layer's descriptor. */
  annotations?: Record<string, string>;
}

/** A written layer: the blob's path, and the counts a report needs. */
export interface WrittenLayer extends Layer {
  readonly path: string;
  readonly uncompressedSize: number;
  readonly entries: number;
}

/** Writes one layer. Throws OciError LAYER_* for bad entries; leaves no temporary file behind. */
export async function writeLayer(
  entries: Iterable<LayerEntry>,
  opts: LayerWriteOptions,
): Promise<WrittenLayer> {
  const compression = opts.compression ?? 'gzip';
  const normalized = normalizeEntries(entries, { mtime: opts.mtime ?? 0 });
  await mkdir(opts.dir, { recursive: true });
  const tmp = tempPath(opts.dir);
  const release = holdTemp(tmp);
  const diff = new DigestStream();
  const comp = new DigestStream();
  try {
    await pipeline(
      tarStream(normalized),
      diff,
      compressStream(compression, opts.level),
      comp,
      createWriteStream(tmp, { highWaterMark: 1 << 20 }),
    );
    const path = join(opts.dir, digestHex(comp.digest));
    await rename(tmp, path);
    const descriptor = {
      mediaType: ociLayerMediaType(compression),
      digest: comp.digest,
      size: comp.bytes,
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    };
    const layer = fileLayer(path, descriptor, diff.digest, diff.bytes);
    return { ...layer, path, uncompressedSize: diff.bytes, entries: normalized.length };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    release();
  }
}
