/**
 * docker-archive source: the tar `docker save` writes (old layout: `<id>/layer.tar`; Docker 25+:
 * `blobs/sha256/<hex>`), and the ones skopeo and distill write. manifest.json names the config and
 * layers; layers are opened as byte ranges of the file. The image is presented with an OCI
 * manifest synthesised from what is stored: uncompressed layers (what docker and skopeo store)
 * have digest = diffID, as `skopeo inspect docker-archive:` reports them.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { imageFromRaw, platformOf } from '../build.ts';
import { canonicalBytes } from '../canonical-json.ts';
import { type Digest, DigestStream, isDigest, sha256, VerifyingStream } from '../digest.ts';
import { OciError } from '../errors.ts';
import type { Image, Layer } from '../image.ts';
import { type Compression, MediaTypes, ociLayerMediaType } from '../media-types.ts';
import type { Descriptor, ImageConfig, ImageManifest } from '../types.ts';
import { sameRepoTag } from './ref-names.ts';
import { indexTar, normalizeName, type TarEntryInfo } from './tar-index.ts';

/** One element of manifest.json, with the keys docker writes. */
export interface DockerManifestEntry {
  Config: string;
  RepoTags: string[] | null;
  Layers: string[];
  LayerSources?: Record<string, Descriptor>;
}

export interface ReadArchiveOptions {
  /** Which image: a RepoTags name (`busybox`, `busybox:1.36`, `docker.io/x/y:t`). */
  tag?: string;
  /** Or its position in manifest.json (skopeo's `docker-archive:FILE:@N`). */
  index?: number;
}

/** manifest.json of an archive. */
export async function readArchiveManifest(path: string): Promise<DockerManifestEntry[]> {
  const entries = await indexTar(path);
  return manifestOf(path, entries);
}

/**
 * Reads one image from a docker-archive file.
 *
 * @example const img = await readDockerArchive('busybox.tar', { tag: 'busybox:latest' });
 */
export async function readDockerArchive(path: string, opts: ReadArchiveOptions = {}): Promise<Image> {
  const entries = await indexTar(path);
  const manifest = await manifestOf(path, entries);
  const chosen = select(path, manifest, opts);
  const rawConfig = await readSmall(path, resolve(path, entries, chosen.Config));
  const configHex = /([a-f0-9]{64})(?:\.json)?$/.exec(chosen.Config)?.[1];
  if (configHex && sha256(rawConfig) !== `sha256:${configHex}`) {
    throw new OciError('OCI_DIGEST_MISMATCH', `${path}: ${chosen.Config} is ${sha256(rawConfig)}`);
  }
  const config = parseJson(rawConfig, `${path}: ${chosen.Config}`) as ImageConfig;
  const diffIds = config?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length !== chosen.Layers.length || !diffIds.every(isDigest)) {
    throw new OciError(
      'OCI_CONFIG_INVALID',
      `${path}: the config's rootfs.diff_ids do not match the ${chosen.Layers.length} layers`,
    );
  }
  const layers: Layer[] = [];
  for (const [i, name] of chosen.Layers.entries()) {
    layers.push(await archiveLayer(path, resolve(path, entries, name), diffIds[i] as Digest, name));
  }
  const m: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: sha256(rawConfig), size: rawConfig.length },
    layers: layers.map((l) => l.descriptor),
  };
  return imageFromRaw(canonicalBytes(m), rawConfig, layers, platformOf(config));
}

async function manifestOf(path: string, entries: Map<string, TarEntryInfo>): Promise<DockerManifestEntry[]> {
  if (!entries.has('manifest.json')) {
    throw new OciError(
      'OCI_ARCHIVE_INVALID',
      `${path} has no manifest.json: not a docker-archive (docker save ≥ 1.10)`,
    );
  }
  const m = parseJson(
    await readSmall(path, resolve(path, entries, 'manifest.json')),
    `${path}: manifest.json`,
  );
  const ok = (e: DockerManifestEntry) =>
    typeof e?.Config === 'string' && Array.isArray(e.Layers) && e.Layers.every((l) => typeof l === 'string');
  if (!Array.isArray(m) || !m.every(ok)) {
    throw new OciError(
      'OCI_ARCHIVE_INVALID',
      `${path}: manifest.json is not a list of {Config, RepoTags, Layers}`,
    );
  }
  return m;
}

function select(path: string, m: DockerManifestEntry[], opts: ReadArchiveOptions): DockerManifestEntry {
  const listed = m.flatMap((e) => e.RepoTags ?? []).join(', ') || 'none';
  if (opts.index !== undefined) {
    const e = m[opts.index];
    if (!e)
      throw new OciError('OCI_REF_NOT_FOUND', `${path} has ${m.length} images; there is no @${opts.index}`);
    return e;
  }
  if (opts.tag === undefined) {
    if (m.length === 1 && m[0]) return m[0];
    if (m.length === 0) throw new OciError('OCI_REF_NOT_FOUND', `${path} holds no images`);
    throw new OciError('OCI_REF_AMBIGUOUS', `${path} holds ${m.length} images; name one (tags: ${listed})`);
  }
  const tag = opts.tag;
  const hits = m.filter((e) => (e.RepoTags ?? []).some((t) => sameRepoTag(t, tag)));
  if (hits.length === 0)
    throw new OciError('OCI_REF_NOT_FOUND', `${path} has no image ${tag} (tags: ${listed})`);
  if (hits.length > 1)
    throw new OciError('OCI_REF_AMBIGUOUS', `${path} has ${hits.length} images named ${tag}`);
  return hits[0] as DockerManifestEntry;
}

/** The regular-file entry a name leads to, following symlinks (skopeo's `<id>/layer.tar`) and hardlinks. */
function resolve(path: string, entries: Map<string, TarEntryInfo>, name: string): TarEntryInfo {
  let cur = normalizeName(name);
  for (let hops = 0; hops < 16; hops++) {
    const e = entries.get(cur);
    if (!e) throw new OciError('OCI_BLOB_MISSING', `${path} has no entry ${name}`);
    if (e.type === 'file') return e;
    if (e.type === 'symlink') cur = normalizeName(posix.join(posix.dirname(cur), e.linkname));
    else if (e.type === 'hardlink') cur = normalizeName(e.linkname);
    else throw new OciError('OCI_ARCHIVE_INVALID', `${path}: ${name} is not a file`);
  }
  throw new OciError('OCI_ARCHIVE_INVALID', `${path}: ${name} is a symlink loop`);
}

async function archiveLayer(path: string, e: TarEntryInfo, diffId: Digest, name: string): Promise<Layer> {
  const compression = await sniff(path, e);
  const range = () =>
    e.size === 0
      ? Readable.from([])
      : createReadStream(path, { start: e.offset, end: e.offset + e.size - 1 });
  let digest: Digest = diffId;
  if (compression !== 'none') {
    // The stored bytes are compressed: their digest is in the name (ggcr, distill) or, failing
    // that, has to be computed by reading the layer once.
    const hex = /([a-f0-9]{64})(?:\.tar(?:\.gz|\.zst)?)?$/.exec(name)?.[1];
    digest = hex ? `sha256:${hex}` : await hashRange(range());
  }
  const descriptor: Descriptor = { mediaType: ociLayerMediaType(compression), digest, size: e.size };
  return {
    descriptor,
    diffId,
    ...(compression === 'none' ? { uncompressedSize: e.size } : {}),
    open: async () => {
      const src = range();
      const check = new VerifyingStream(digest, e.size, `${path}: ${name}`);
      src.on('error', (err: Error) => check.destroy(err));
      return src.pipe(check);
    },
  };
}

async function sniff(path: string, e: TarEntryInfo): Promise<Compression> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    await fh.read(b, 0, Math.min(4, e.size), e.offset);
    if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

async function hashRange(s: Readable): Promise<Digest> {
  const h = new DigestStream();
  await pipeline(s, h, async (src) => {
    for await (const _ of src);
  });
  return h.digest;
}

/** Documents in an archive are small; refuse anything absurd rather than buffer it. */
async function readSmall(path: string, e: TarEntryInfo): Promise<Buffer> {
  if (e.size > 64 * 1024 * 1024) throw new OciError('OCI_ARCHIVE_INVALID', `${path}: ${e.name} is too large`);
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(e.size);
    await fh.read(b, 0, e.size, e.offset);
    return b;
  } finally {
    await fh.close();
  }
}

function parseJson(b: Buffer, what: string): unknown {
  try {
    return JSON.parse(b.toString('utf8'));
  } catch (err) {
    throw new OciError('OCI_JSON_INVALID', `${what} is not JSON: ${(err as Error).message}`, { cause: err });
  }
}
