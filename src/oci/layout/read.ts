/**
 * OCI image layout source: `oci-layout`, `index.json` and `blobs/sha256/<hex>`. Picks the manifest
 * named by `org.opencontainers.image.ref.name`, follows nested indexes, and checks every document
 * against its digest as it is read; layers are checked when opened.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { imageFromRaw, indexFromRaw, withDescriptorAnnotations } from '../build.ts';
import type { Digest } from '../digest.ts';
import { OciError } from '../errors.ts';
import type { Artifact, Image, Index, Layer } from '../image.ts';
import { isIndex, isManifest } from '../media-types.ts';
import {
  type Descriptor,
  type ImageConfig,
  type ImageIndex,
  type ImageManifest,
  REF_NAME_ANNOTATION,
} from '../types.ts';
import { checkBlobExists, openVerified, parseJson, readVerifiedBlob } from './blob-store.ts';

/** Indexes nest (index → index → image); more than this is a loop or an attack, not an image. */
const MAX_DEPTH = 8;

/** The top-level entries of a layout's index.json, as they are. */
export async function readLayoutIndex(dir: string): Promise<ImageIndex> {
  const layoutFile = await readOrInvalid(join(dir, 'oci-layout'), dir);
  const layout = parseJson(layoutFile, `${dir}/oci-layout`) as { imageLayoutVersion?: unknown };
  if (typeof layout?.imageLayoutVersion !== 'string' || !layout.imageLayoutVersion.startsWith('1.')) {
    throw new OciError('OCI_LAYOUT_INVALID', `${dir}/oci-layout: unsupported imageLayoutVersion`);
  }
  const index = parseJson(
    await readOrInvalid(join(dir, 'index.json'), dir),
    `${dir}/index.json`,
  ) as ImageIndex;
  if (!index || typeof index !== 'object' || !Array.isArray(index.manifests)) {
    throw new OciError('OCI_INDEX_INVALID', `${dir}/index.json has no manifests array`);
  }
  return index;
}

/**
 * Reads the artifact named `tag` (the ref name annotation) from the layout at `dir`. Without a
 * tag, the layout must hold exactly one manifest.
 *
 * @example const img = await readLayout('out/static', 'latest');
 */
export async function readLayout(dir: string, tag?: string): Promise<Artifact> {
  const index = await readLayoutIndex(dir);
  const chosen = selectEntry(index.manifests, dir, tag);
  const artifact = await loadArtifact(dir, chosen, 0);
  return chosen.annotations ? withDescriptorAnnotations(artifact, chosen.annotations) : artifact;
}

/**
 * The `kind` annotation of the entries `cosign save` adds beside the image (its signatures and
 * attestations): without a tag, a layout holding one image and those still names that image.
 */
const COSIGN_ATTACHED_KINDS = new Set(['dev.cosignproject.cosign/sigs', 'dev.cosignproject.cosign/atts']);

/** Reads the artifact an index.json entry names (checked against its digest). */
export async function readLayoutEntry(dir: string, d: Descriptor): Promise<Artifact> {
  return loadArtifact(dir, d, 0);
}

function selectEntry(all: Descriptor[], dir: string, tag: string | undefined): Descriptor {
  const entries =
    tag === undefined ? all.filter((d) => !COSIGN_ATTACHED_KINDS.has(d.annotations?.kind ?? '')) : all;
  const names = entries.map((d) => d.annotations?.[REF_NAME_ANNOTATION]);
  const listed = names.filter(Boolean).join(', ') || 'none';
  if (tag === undefined) {
    if (entries.length === 1 && entries[0]) return entries[0];
    if (entries.length === 0) throw new OciError('OCI_REF_NOT_FOUND', `${dir} holds no images`);
    throw new OciError(
      'OCI_REF_AMBIGUOUS',
      `${dir} holds ${entries.length} manifests; name one as oci:${dir}:TAG (tags: ${listed})`,
    );
  }
  const matches = entries.filter((d) => d.annotations?.[REF_NAME_ANNOTATION] === tag);
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) {
    throw new OciError(
      'OCI_REF_NOT_FOUND',
      `${dir} has no image tagged ${JSON.stringify(tag)} (tags: ${listed})`,
    );
  }
  throw new OciError(
    'OCI_REF_AMBIGUOUS',
    `${dir} has ${matches.length} manifests tagged ${JSON.stringify(tag)}`,
  );
}

async function loadArtifact(dir: string, d: Descriptor, depth: number): Promise<Artifact> {
  if (depth > MAX_DEPTH)
    throw new OciError('OCI_INDEX_INVALID', `${dir}: indexes nested deeper than ${MAX_DEPTH}`);
  const raw = await readVerifiedBlob(dir, d, 'manifest');
  const doc = parseJson(raw, `manifest ${d.digest}`) as {
    mediaType?: string;
    manifests?: unknown;
    config?: unknown;
  };
  // The descriptor's media type wins; an old writer may leave it out, then the document says.
  const mt = d.mediaType || doc?.mediaType || '';
  if (isIndex(mt) || (!mt && Array.isArray(doc?.manifests)))
    return loadIndex(dir, d, raw, doc as ImageIndex, depth);
  if (isManifest(mt) || (!mt && doc?.config)) return loadImage(dir, d, raw, doc as ImageManifest);
  throw new OciError('OCI_MANIFEST_INVALID', `${d.digest}: unsupported media type ${JSON.stringify(mt)}`);
}

async function loadIndex(
  dir: string,
  d: Descriptor,
  raw: Buffer,
  doc: ImageIndex,
  depth: number,
): Promise<Index> {
  if (!Array.isArray(doc.manifests))
    throw new OciError('OCI_INDEX_INVALID', `index ${d.digest} has no manifests`);
  const children: Artifact[] = [];
  for (const child of doc.manifests) {
    const a = await loadArtifact(dir, child, depth + 1);
    children.push(child.platform ? { ...a, descriptor: { ...a.descriptor, platform: child.platform } } : a);
  }
  return indexFromRaw(raw, children, d.mediaType || undefined);
}

async function loadImage(dir: string, d: Descriptor, raw: Buffer, m: ImageManifest): Promise<Image> {
  if (!m.config?.digest || !Array.isArray(m.layers)) {
    throw new OciError('OCI_MANIFEST_INVALID', `manifest ${d.digest} lacks config or layers`);
  }
  const rawConfig = await readVerifiedBlob(dir, m.config, 'config');
  const config = parseJson(rawConfig, `config ${m.config.digest}`) as ImageConfig;
  const diffIds = config?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== m.layers.length) {
    throw new OciError(
      'OCI_CONFIG_INVALID',
      `config ${m.config.digest}: rootfs.diff_ids does not list one diffID per layer (${m.layers.length} layers)`,
    );
  }
  const layers: Layer[] = [];
  for (const [i, ld] of m.layers.entries()) {
    const path = await checkBlobExists(dir, ld, `layer ${i}`);
    layers.push({
      descriptor: ld,
      diffId: diffIds[i] as Digest,
      open: async () => openVerified(path, ld, `layer ${i}`),
    });
  }
  return imageFromRaw(raw, rawConfig, layers, d.platform, d.mediaType || undefined);
}

async function readOrInvalid(path: string, dir: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new OciError('OCI_LAYOUT_INVALID', `${dir} is not an OCI image layout: cannot read ${path}`, {
      cause: err,
    });
  }
}
