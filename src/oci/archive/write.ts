/**
 * docker-archive sink: the tar `docker load` reads. manifest.json carries exactly docker's keys
 * (`Config`, `RepoTags`, `Layers`); the config is `<hex>.json`; layers are stored uncompressed
 * as `<diffID hex>.tar` by default, as `docker save` and skopeo store them (why: ./README.md), or as they are (`layers: 'as-stored'`, e.g. `<hex>.tar.gz`, smaller, loadable by
 * docker ≥ 1.10 for gzip). The file is written beside the target and renamed at the end.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readlink, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { holdTemp, sweepTemps, tempPath } from '../../files/index.ts';
import { canonicalBytes } from '../canonical-json.ts';
import { decompressStream } from '../compression.ts';
import { DigestStream, digestHex, sha256, VerifyingStream } from '../digest.ts';
import { OciError } from '../errors.ts';
import { type Artifact, type Image, imagesOf, type Layer } from '../image.ts';
import { layerCompression } from '../media-types.ts';
import { legacyLayers } from './legacy.ts';
import type { DockerManifestEntry } from './read.ts';
import { parseRepoTag } from './ref-names.ts';
import { TarFile } from './tar-file.ts';

export type ArchiveLayerStorage = 'uncompressed' | 'as-stored';

export interface ArchiveImage {
  /** An image, or an index holding exactly one image (docker archives have no multi-platform form). */
  artifact: Artifact;
  /** RepoTags, `NAME[:TAG]` (TAG defaults to latest). */
  tags?: readonly string[];
}

export type ArchiveEvent = { type: 'layer-written'; name: string; bytes: number };

export interface WriteArchiveOptions {
  /** How layers are stored (default 'uncompressed', as docker save does). */
  layers?: ArchiveLayerStorage;
  /** mtime of the archive's own entries (SOURCE_DATE_EPOCH; default 0). */
  mtime?: number;
  onEvent?: (e: ArchiveEvent) => void;
}

/**
 * Writes images to a docker-archive: a file (replaced atomically; through a symlink, its target
 * is replaced and the link stays), a fifo or character device such as /dev/stdout (written as a
 * stream), or a Writable (`--archive -`). Sockets, block devices and directories are refused
 * (OUTPUT_NOT_REGULAR, OUTPUT_EXISTS) before anything is written.
 *
 * @example await writeDockerArchive('app.tar', [{ image, tags: ['app:1.0'] }]);
 */
export async function writeDockerArchive(
  file: string | NodeJS.WritableStream,
  images: readonly ArchiveImage[],
  opts: WriteArchiveOptions = {},
): Promise<{ manifest: DockerManifestEntry[] }> {
  if (images.length === 0)
    throw new OciError('OCI_ARCHIVE_INVALID', 'a docker archive needs at least one image');
  const storage = opts.layers ?? 'uncompressed';
  const plan = images.map((e) => planImage(e, storage));
  const manifest = plan.map((p) => p.entry);
  const target =
    typeof file === 'string' ? await archiveTarget(file) : { kind: 'stream' as const, open: () => file };
  if (target.kind === 'stream') {
    // The tar is written by offset (a header is completed after its data), so it is made in a
    // temporary file and then copied to the stream.
    const dir = await mkdtemp(join(tmpdir(), 'distill-archive-'));
    const release = holdTemp(dir);
    try {
      const tmp = join(dir, 'archive.tar');
      await writeTar(tmp, plan, manifest, storage, opts);
      await pipeline(createReadStream(tmp), target.open(), { end: typeof file === 'string' });
    } finally {
      await rm(dir, { recursive: true, force: true });
      release();
    }
    return { manifest };
  }
  await mkdir(dirname(target.path), { recursive: true });
  await sweepTemps(dirname(target.path), basename(target.path));
  const tmp = tempPath(dirname(target.path), basename(target.path));
  const release = holdTemp(tmp);
  try {
    await writeTar(tmp, plan, manifest, storage, opts);
    await rename(tmp, target.path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    release();
  }
  return { manifest };
}

type Target = { kind: 'file'; path: string } | { kind: 'stream'; open: () => NodeJS.WritableStream };

/** Where the archive for path `file` goes: see writeDockerArchive. */
async function archiveTarget(file: string): Promise<Target> {
  let path = file;
  // Follow symlinks (a chain, and dangling ones too: the target file is then created).
  for (let hops = 0; ; hops++) {
    const l = await lstat(path).catch(() => undefined);
    if (!l?.isSymbolicLink()) break;
    if (hops >= 40) throw new OciError('OUTPUT_NOT_REGULAR', `${file}: too many levels of symbolic links`);
    path = resolve(dirname(path), await readlink(path));
  }
  const st = await stat(path).catch(() => undefined);
  if (!st || st.isFile()) return { kind: 'file', path };
  if (st.isDirectory()) throw new OciError('OUTPUT_EXISTS', `${file} is a directory`);
  if (st.isFIFO() || st.isCharacterDevice())
    return { kind: 'stream', open: () => createWriteStream(path, { flags: 'w' }) };
  throw new OciError(
    'OUTPUT_NOT_REGULAR',
    `${file} is a ${st.isSocket() ? 'socket' : st.isBlockDevice() ? 'block device' : 'special file'}: write the archive to a file, a fifo, or stdout with --archive -`,
  );
}

async function writeTar(
  tmp: string,
  plan: ReturnType<typeof planImage>[],
  manifest: DockerManifestEntry[],
  storage: ArchiveLayerStorage,
  opts: WriteArchiveOptions,
): Promise<void> {
  const repositories: Record<string, Record<string, string>> = {};
  for (const p of plan) {
    const top = p.legacy.at(-1);
    for (const t of p.entry.RepoTags ?? []) {
      const { repository, tag } = parseRepoTag(t);
      if (!top) continue;
      repositories[repository] = { ...repositories[repository], [tag]: top.id };
    }
  }
  const fh = await open(tmp, 'wx');
  try {
    const tar = new TarFile(fh, opts.mtime ?? 0);
    await tar.file('manifest.json', Buffer.from(JSON.stringify(manifest)));
    if (Object.keys(repositories).length) await tar.file('repositories', canonicalBytes(repositories));
    const written = new Set<string>();
    for (const p of plan) {
      if (!written.has(p.entry.Config)) await tar.file(p.entry.Config, p.image.rawConfig);
      written.add(p.entry.Config);
      for (const [i, l] of p.image.layers.entries()) {
        const name = p.entry.Layers[i] as string;
        if (written.has(name)) continue;
        const bytes = await writeLayer(tar, name, l, storage);
        written.add(name);
        opts.onEvent?.({ type: 'layer-written', name, bytes });
      }
      for (const l of p.legacy) {
        if (written.has(l.id)) continue;
        written.add(l.id);
        await tar.dir(l.id);
        await tar.file(`${l.id}/VERSION`, Buffer.from('1.0'));
        await tar.file(`${l.id}/json`, l.json);
        await tar.symlink(`${l.id}/layer.tar`, `../${l.layerFile}`);
      }
    }
    await tar.end();
    await fh.close();
  } catch (err) {
    await fh.close().catch(() => {});
    throw err;
  }
}

function planImage(e: ArchiveImage, storage: ArchiveLayerStorage) {
  const img = singleImage(e.artifact);
  if (sha256(img.rawConfig) !== img.manifest.config.digest) {
    throw new OciError('OCI_DIGEST_MISMATCH', `config of ${img.descriptor.digest} does not match its digest`);
  }
  const layers = img.layers.map((l) => layerName(l, storage));
  const entry: DockerManifestEntry = {
    Config: `${digestHex(img.manifest.config.digest)}.json`,
    RepoTags: (e.tags ?? []).map((t) => {
      const { repository, tag } = parseRepoTag(t);
      return `${repository}:${tag}`;
    }),
    Layers: layers,
  };
  return { image: img, entry, legacy: legacyLayers(img, layers) };
}

function singleImage(a: Artifact): Image {
  const imgs = imagesOf(a);
  if (imgs.length !== 1 || !imgs[0]) {
    throw new OciError(
      'OCI_PLATFORM_INVALID',
      `${a.descriptor.digest} holds ${imgs.length} images; a docker archive takes one per platform (choose one)`,
    );
  }
  return imgs[0];
}

function layerName(l: Layer, storage: ArchiveLayerStorage): string {
  if (storage === 'uncompressed') return `${digestHex(l.diffId)}.tar`;
  const c = layerCompression(l.descriptor.mediaType);
  return `${digestHex(l.descriptor.digest)}.tar${c === 'gzip' ? '.gz' : c === 'zstd' ? '.zst' : ''}`;
}

/** Streams one layer into the tar, checking its digest (and its diffID when decompressing). */
async function writeLayer(
  tar: TarFile,
  name: string,
  l: Layer,
  storage: ArchiveLayerStorage,
): Promise<number> {
  const d = l.descriptor;
  const c = layerCompression(d.mediaType);
  const verify = new VerifyingStream(d.digest, d.size, `layer ${d.digest}`);
  const diff = new DigestStream();
  let bytes = 0;
  const unpack = storage === 'uncompressed' && c !== 'none' ? decompressStream(c) : new PassThrough();
  await pipeline(await l.open(), verify, unpack, diff, async (src: AsyncIterable<Buffer>) => {
    bytes = await tar.stream(name, src);
  });
  const expected = storage === 'uncompressed' || c === 'none' ? l.diffId : d.digest;
  if (diff.digest !== expected) {
    throw new OciError(
      'OCI_DIGEST_MISMATCH',
      `layer ${d.digest}: uncompressed content is ${diff.digest}, diffID says ${l.diffId}`,
    );
  }
  return bytes;
}
