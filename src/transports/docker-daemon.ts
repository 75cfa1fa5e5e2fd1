/**
 * `docker-daemon:NAME[:TAG]` (or `docker-daemon:sha256:ID`): an image in the local Docker engine,
 * reached through its API socket, as skopeo's transport of that name. Reading exports the image
 * (GET /images/{name}/get) into a temp file that lives until the process ends; writing loads a
 * docker-archive of the engine's own architecture (POST /images/load).
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDockerArchive, writeDockerArchive } from '../oci/archive/index.ts';
import { type Image, imagesOf } from '../oci/index.ts';
import { archiveTag } from './docker-archive.ts';
import { dockerSocket, loadDockerArchive, saveDockerImage } from './docker-engine.ts';
import { invalidRef } from './invalid.ts';
import type { ImageRef, Transport } from './types.ts';

type DaemonRef = Extract<ImageRef, { transport: 'docker-daemon' }>;

const exported = new Set<string>();
let cleanupInstalled = false;

/** A temp dir removed when the process exits (an opened image's layers are read lazily from it). */
async function exportDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'distill-daemon-'));
  exported.add(dir);
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.once('exit', () => {
      for (const d of exported) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** The image of the engine's own architecture (the engine stores one per name). */
function hostImage(images: Image[]): Image {
  const hostArch = process.arch === 'x64' ? 'amd64' : process.arch;
  return (images.find((i) => i.config.architecture === hostArch) ?? images[0]) as Image;
}

export const dockerDaemon: Transport<DaemonRef> = {
  name: 'docker-daemon',
  parse(rest, whole) {
    if (!rest || /\s/.test(rest))
      throw invalidRef(whole, 'docker-daemon:NAME[:TAG] or docker-daemon:sha256:ID');
    return { transport: 'docker-daemon', name: rest };
  },
  async open(ref, o) {
    const dir = await exportDir();
    const file = join(dir, 'image.tar');
    try {
      await saveDockerImage(ref.name, dockerSocket(o.env ?? process.env), file);
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      exported.delete(dir);
      throw e;
    }
    return readDockerArchive(file, { index: 0 });
  },
  async write(artifact, ref, o) {
    const img = hostImage(imagesOf(artifact));
    const tag = archiveTag(ref.name, o.defaultName ?? 'distill');
    const tmp = await mkdtemp(join(tmpdir(), 'distill-load-'));
    try {
      const file = join(tmp, 'image.tar');
      // gzip layers go as they are (every engine reads them, and nothing is recompressed); zstd ones
      // uncompressed: engines before Docker 23 do not read zstd (20.10 fails on some layers with
      // "archive/tar: invalid tar header").
      const zstd = img.layers.some((l) => l.descriptor.mediaType.endsWith('+zstd'));
      await writeDockerArchive(file, [{ artifact: img, tags: [tag] }], {
        layers: zstd ? 'uncompressed' : 'as-stored',
      });
      const loaded = (await loadDockerArchive(file, dockerSocket(o.env ?? process.env))).messages;
      return { loaded };
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  },
};
