/**
 * What an image is, without running it: platform(s), config, layers with compressed and
 * uncompressed sizes, and totals (`distill inspect` prints it; the library's `inspect` returns it).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { platformOf } from './build.ts';
import { decompressStream } from './compression.ts';
import { OciError } from './errors.ts';
import { type Artifact, type Image, imagesOf, type Layer } from './image.ts';
import { type Compression, layerCompression } from './media-types.ts';
import { parsePlatform, platformMatches } from './platform.ts';
import { formatPlatform } from './types.ts';

export interface LayerReport {
  digest: string;
  diffId: string;
  mediaType: string;
  size: number;
  /** null when unknown and not measured (--no-measure). */
  uncompressedSize: number | null;
  /** Where the uncompressed size comes from: the source knew it, or the layer was read to count it. */
  uncompressedSizeFrom: 'source' | 'measured' | 'unknown';
}

export interface ImageReport {
  platform: string;
  digest: string;
  mediaType: string;
  config: {
    digest: string;
    created?: string;
    entrypoint?: string[];
    cmd?: string[];
    user?: string;
    env?: string[];
    workdir?: string;
    labels?: Record<string, string>;
  };
  layers: LayerReport[];
  totals: { layers: number; size: number; uncompressedSize: number | null };
}

export interface InspectReport {
  reference: string;
  kind: 'image' | 'index';
  digest: string;
  mediaType: string;
  platforms: string[];
  images: ImageReport[];
}

export interface InspectOptions {
  /** Only the image of this platform (os/arch[/variant]). */
  platform?: string;
  /** Read layers whose uncompressed size the source does not know (one decompression each). */
  measure?: boolean;
}

/** Builds the report for an artifact. */
export async function inspectArtifact(
  reference: string,
  a: Artifact,
  o: InspectOptions = {},
): Promise<InspectReport> {
  const all = imagesOf(a);
  const want = o.platform ? parsePlatform(o.platform) : undefined;
  const chosen = want ? all.filter((i) => platformMatches(platformOfImage(i), want)) : all;
  if (want && chosen.length === 0) {
    throw new OciError(
      'OCI_PLATFORM_NOT_FOUND',
      `${reference} has no ${o.platform} image (it has ${all.map((i) => formatPlatform(platformOfImage(i))).join(', ')})`,
    );
  }
  const images: ImageReport[] = [];
  for (const img of chosen) images.push(await imageReport(img, o.measure ?? true));
  return {
    reference,
    kind: a.kind,
    digest: a.descriptor.digest,
    mediaType: a.descriptor.mediaType,
    platforms: all.map((i) => formatPlatform(platformOfImage(i))),
    images,
  };
}

function platformOfImage(i: Image) {
  return i.descriptor.platform ?? platformOf(i.config);
}

async function imageReport(img: Image, measure: boolean): Promise<ImageReport> {
  const layers: LayerReport[] = [];
  for (const l of img.layers) layers.push(await layerReport(l, measure));
  const c = img.config.config ?? {};
  const unknown = layers.some((l) => l.uncompressedSize === null);
  return {
    platform: formatPlatform(platformOfImage(img)),
    digest: img.descriptor.digest,
    mediaType: img.descriptor.mediaType,
    config: {
      digest: img.manifest.config.digest,
      ...(img.config.created ? { created: img.config.created } : {}),
      ...(c.Entrypoint ? { entrypoint: c.Entrypoint } : {}),
      ...(c.Cmd ? { cmd: c.Cmd } : {}),
      ...(c.User ? { user: c.User } : {}),
      ...(c.Env ? { env: c.Env } : {}),
      ...(c.WorkingDir ? { workdir: c.WorkingDir } : {}),
      ...(c.Labels ? { labels: c.Labels } : {}),
    },
    layers,
    totals: {
      layers: layers.length,
      size: layers.reduce((n, l) => n + l.size, 0),
      uncompressedSize: unknown ? null : layers.reduce((n, l) => n + (l.uncompressedSize ?? 0), 0),
    },
  };
}

async function layerReport(l: Layer, measure: boolean): Promise<LayerReport> {
  const base = {
    digest: l.descriptor.digest,
    diffId: l.diffId,
    mediaType: l.descriptor.mediaType,
    size: l.descriptor.size,
  };
  const c = layerCompression(l.descriptor.mediaType);
  if (l.uncompressedSize !== undefined)
    return { ...base, uncompressedSize: l.uncompressedSize, uncompressedSizeFrom: 'source' };
  if (c === 'none') return { ...base, uncompressedSize: l.descriptor.size, uncompressedSizeFrom: 'source' };
  if (!measure) return { ...base, uncompressedSize: null, uncompressedSizeFrom: 'unknown' };
  // Reading also checks the layer's digest: a corrupted blob fails here, not later.
  const n = await countUncompressed(await l.open());
  return { ...base, uncompressedSize: n, uncompressedSizeFrom: 'measured' };
}

/**
 * Bytes of a layer once decompressed. The compression is taken from the content's magic bytes,
 * not the media type: skopeo's --dest-oci-accept-uncompressed-layers labels plain tars +gzip.
 */
async function countUncompressed(src: Readable): Promise<number> {
  const it = src[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await it.next();
  if (first.done) return 0;
  const head = first.value;
  const c: Compression =
    head[0] === 0x1f && head[1] === 0x8b
      ? 'gzip'
      : head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528
        ? 'zstd'
        : 'none';
  const all = Readable.from(
    (async function* () {
      yield head;
      for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    })(),
  );
  let n = 0;
  await pipeline(all, decompressStream(c), async (s: AsyncIterable<Buffer>) => {
    for await (const chunk of s) n += chunk.length;
  });
  return n;
}
