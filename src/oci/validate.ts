/**
 * A conformance check for any Image or Index implementation (after go-containerregistry's
 * validate package): documents parse, digests and sizes agree, layers match diff_ids. With
 * `deep`, every blob is read, hashed, and each layer decompressed to check its diffID.
 */
import { pipeline } from 'node:stream/promises';
import { decompressStream } from './compression.ts';
import { type Digest, DigestStream, isDigest, sha256 } from './digest.ts';
import { OciError } from './errors.ts';
import type { Artifact, Image, Index } from './image.ts';
import { isConfig, isIndex, isLayer, isManifest, layerCompression } from './media-types.ts';

export interface ValidateOptions {
  /** Read every layer: check compressed digest and size, and the diffID of the uncompressed tar. */
  deep?: boolean;
}

/** Throws OCI_VALIDATION_FAILED listing every problem found. */
export async function validate(a: Artifact, opts: ValidateOptions = {}): Promise<void> {
  const problems: string[] = [];
  await (a.kind === 'image' ? checkImage(a, opts, problems, '') : checkIndex(a, opts, problems, ''));
  if (problems.length) {
    throw new OciError(
      'OCI_VALIDATION_FAILED',
      `invalid ${a.kind} ${a.descriptor.digest}:\n- ${problems.join('\n- ')}`,
    );
  }
}

function checkDescriptorOf(
  raw: Buffer,
  d: { digest: Digest; size: number },
  what: string,
  p: string[],
): void {
  if (!isDigest(d.digest)) p.push(`${what}: bad digest ${d.digest}`);
  if (sha256(raw) !== d.digest)
    p.push(`${what}: digest ${d.digest} does not match its content ${sha256(raw)}`);
  if (raw.length !== d.size)
    p.push(`${what}: size ${d.size} does not match its content (${raw.length} bytes)`);
}

async function checkImage(img: Image, opts: ValidateOptions, p: string[], at: string): Promise<void> {
  const m = img.manifest;
  checkDescriptorOf(img.rawManifest, img.descriptor, `${at}manifest`, p);
  if (m.schemaVersion !== 2) p.push(`${at}manifest: schemaVersion is ${m.schemaVersion}, not 2`);
  if (!isManifest(img.descriptor.mediaType)) p.push(`${at}manifest: media type ${img.descriptor.mediaType}`);
  if (m.mediaType && m.mediaType !== img.descriptor.mediaType) {
    p.push(
      `${at}manifest: mediaType ${m.mediaType} differs from its descriptor's ${img.descriptor.mediaType}`,
    );
  }
  if (!m.config || !isConfig(m.config.mediaType)) p.push(`${at}config: media type ${m.config?.mediaType}`);
  else checkDescriptorOf(img.rawConfig, m.config, `${at}config`, p);
  const c = img.config;
  if (!c.os || !c.architecture) p.push(`${at}config: os and architecture are required`);
  if (c.rootfs?.type !== 'layers' || !Array.isArray(c.rootfs.diff_ids))
    p.push(`${at}config: rootfs.diff_ids missing`);
  const diffIds = c.rootfs?.diff_ids ?? [];
  if (diffIds.length !== m.layers.length) {
    p.push(`${at}config has ${diffIds.length} diff_ids for ${m.layers.length} layers`);
  }
  if (img.layers.length !== m.layers.length)
    p.push(`${at}image has ${img.layers.length} layers, manifest ${m.layers.length}`);
  if (c.history) {
    const nonEmpty = c.history.filter((h) => !h.empty_layer).length;
    if (nonEmpty !== diffIds.length)
      p.push(`${at}config history has ${nonEmpty} non-empty entries for ${diffIds.length} layers`);
  }
  for (const [i, l] of img.layers.entries()) {
    const d = m.layers[i];
    const what = `${at}layer ${i}`;
    if (!d) continue;
    if (!isLayer(d.mediaType)) p.push(`${what}: media type ${d.mediaType}`);
    if (d.digest !== l.descriptor.digest || d.size !== l.descriptor.size)
      p.push(`${what}: descriptor differs from the manifest's`);
    if (diffIds[i] !== l.diffId) p.push(`${what}: diffId ${l.diffId} differs from config's ${diffIds[i]}`);
    if (opts.deep) await checkLayerContent(l, d.mediaType, what, p);
  }
}

async function checkLayerContent(
  l: Image['layers'][number],
  mediaType: string,
  what: string,
  p: string[],
): Promise<void> {
  const compressed = new DigestStream();
  const uncompressed = new DigestStream();
  try {
    const c = layerCompression(mediaType);
    await pipeline(
      await l.open(),
      compressed,
      c === 'none' ? new DigestStream() : decompressStream(c),
      uncompressed,
      async (src) => {
        for await (const _ of src);
      },
    );
  } catch (err) {
    p.push(`${what}: unreadable: ${(err as Error).message}`);
    return;
  }
  if (compressed.digest !== l.descriptor.digest)
    p.push(`${what}: content is ${compressed.digest}, descriptor says ${l.descriptor.digest}`);
  if (compressed.bytes !== l.descriptor.size)
    p.push(`${what}: ${compressed.bytes} bytes, descriptor says ${l.descriptor.size}`);
  if (uncompressed.digest !== l.diffId)
    p.push(`${what}: uncompressed content is ${uncompressed.digest}, diffId says ${l.diffId}`);
  if (l.uncompressedSize !== undefined && uncompressed.bytes !== l.uncompressedSize) {
    p.push(`${what}: ${uncompressed.bytes} uncompressed bytes, layer says ${l.uncompressedSize}`);
  }
}

async function checkIndex(idx: Index, opts: ValidateOptions, p: string[], at: string): Promise<void> {
  checkDescriptorOf(idx.rawManifest, idx.descriptor, `${at}index`, p);
  if (!isIndex(idx.descriptor.mediaType)) p.push(`${at}index: media type ${idx.descriptor.mediaType}`);
  if (idx.manifest.schemaVersion !== 2) p.push(`${at}index: schemaVersion is ${idx.manifest.schemaVersion}`);
  if (idx.children.length !== idx.manifest.manifests.length) {
    p.push(
      `${at}index lists ${idx.manifest.manifests.length} manifests, has ${idx.children.length} children`,
    );
  }
  for (const [i, child] of idx.children.entries()) {
    const d = idx.manifest.manifests[i];
    if (d && (d.digest !== child.descriptor.digest || d.size !== child.descriptor.size)) {
      p.push(
        `${at}manifests[${i}]: descriptor ${d.digest} differs from the child's ${child.descriptor.digest}`,
      );
    }
    const sub = `${at}manifests[${i}] `;
    await (child.kind === 'image' ? checkImage(child, opts, p, sub) : checkIndex(child, opts, p, sub));
  }
}
