/**
 * Built layers remembered in the content-addressed cache: a key naming everything a layer's
 * bytes depend on maps to the layer's blob, so a warm build compresses nothing.
 */

import type { Compression } from '../oci/index.ts';
import {
  canonicalJson,
  type Digest,
  fileLayer,
  type Layer,
  type LayerEntry,
  ociLayerMediaType,
  sha256,
  writeLayer,
} from '../oci/index.ts';
import type { Cache } from '../platform/index.ts';
import { slimEntries } from './slim.ts';

/** Bump when the code that makes layer contents changes what it writes or what is remembered of it. */
export const LAYER_FORMAT = 'distill-layer-8';

interface Remembered {
  digest: Digest;
  diffId: Digest;
  size: number;
  uncompressedSize: number;
  entries: number;
  slimSavedBytes?: number;
}

export interface CachedLayer extends Layer {
  readonly uncompressedSize: number;
  readonly entries: number;
  /** True when the layer came from the cache without being written. */
  readonly cached: boolean;
  /** With --slim: bytes of files left out. */
  readonly slimSavedBytes?: number;
}

/** How a layer is written: entries' mtime, compression, --slim. */
export interface LayerOptions {
  mtime: number;
  compression?: Compression;
  level?: number;
  slim?: boolean;
  /** With slim: a further step after the common one (the runtime layer strips bin/node). */
  slimMore?: (entries: LayerEntry[]) => Promise<{ entries: LayerEntry[]; savedBytes: number }>;
  /** Told when a layer is not in the cache and is being written (compressed), and when it is done. */
  onWrite?: (e: LayerWriteEvent) => void;
}

/** Progress of a layer being written: its entries and their bytes, then its compressed size. */
export type LayerWriteEvent =
  | { type: 'write-start'; entries: number; bytes: number }
  | { type: 'write-done'; size: number; uncompressedSize: number };

/** The layer for `key`: from the cache when it is there, else made by `entries()` and remembered. */
export async function cachedLayer(
  cache: Cache,
  key: unknown,
  entries: () => Promise<LayerEntry[]>,
  opts: LayerOptions,
): Promise<CachedLayer> {
  const compression = opts.compression ?? 'gzip';
  const slim = Boolean(opts.slim);
  const k = `layer:${sha256(canonicalJson({ format: LAYER_FORMAT, key, mtime: opts.mtime, compression, slim, ...(opts.level ? { level: opts.level } : {}) }))}`;
  const hit = await cache.getJson<Remembered>(k);
  if (hit) {
    const path = await cache.get(hit.digest);
    if (path) {
      const descriptor = { mediaType: ociLayerMediaType(compression), digest: hit.digest, size: hit.size };
      return {
        ...fileLayer(path, descriptor, hit.diffId, hit.uncompressedSize),
        uncompressedSize: hit.uncompressedSize,
        entries: hit.entries,
        cached: true,
        ...(hit.slimSavedBytes !== undefined ? { slimSavedBytes: hit.slimSavedBytes } : {}),
      };
    }
  }
  let list = await entries();
  let slimSavedBytes: number | undefined;
  if (slim) {
    ({ entries: list, savedBytes: slimSavedBytes } = slimEntries(list));
    if (opts.slimMore) {
      const more = await opts.slimMore(list);
      list = more.entries;
      slimSavedBytes += more.savedBytes;
    }
  }
  opts.onWrite?.({
    type: 'write-start',
    entries: list.length,
    bytes: list.reduce((n, e) => n + (e.size ?? 0), 0),
  });
  const layer = await writeLayer(list, {
    dir: `${cache.root}/blobs/sha256`,
    mtime: opts.mtime,
    compression,
    ...(opts.level ? { level: opts.level } : {}),
  });
  const r: Remembered = {
    digest: layer.descriptor.digest,
    diffId: layer.diffId,
    size: layer.descriptor.size,
    uncompressedSize: layer.uncompressedSize,
    entries: layer.entries,
    ...(slimSavedBytes !== undefined ? { slimSavedBytes } : {}),
  };
  await cache.putJson(k, r);
  opts.onWrite?.({ type: 'write-done', size: r.size, uncompressedSize: r.uncompressedSize });
  return { ...layer, cached: false, ...(slimSavedBytes !== undefined ? { slimSavedBytes } : {}) };
}
