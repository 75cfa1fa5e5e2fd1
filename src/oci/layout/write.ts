/**
 * OCI image layout sink. A new layout is built in a temporary directory next to the target and
 * renamed into place at the end, so the output path holds either nothing or a whole layout. In an
 * existing layout, blobs are added (each atomically) and index.json is replaced by rename under a
 * lock, keeping every other tag; a failure leaves index.json as it was (at worst with unreferenced
 * but complete blobs, which `umoci gc` removes).
 */
import { lstat, mkdir, readdir, readlink, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { contentHashes, type FileHashes, holdTemp, sweepTemps, tempPath } from '../../files/index.ts';
import { canonicalBytes } from '../canonical-json.ts';
import { OciError } from '../errors.ts';
import type { Artifact } from '../image.ts';
import { MediaTypes } from '../media-types.ts';
import { type Descriptor, type ImageIndex, REF_NAME_ANNOTATION } from '../types.ts';
import { type BlobWriterContext, type LayoutEvent, putArtifact } from './blob-writer.ts';
import { withLock } from './lock.ts';
import { readLayoutIndex } from './read.ts';

export interface LayoutEntry {
  /** An image, or a multi-platform index (written as it is: index.json then points at the index). */
  artifact: Artifact;
  /** The ref name (`org.opencontainers.image.ref.name`); an existing entry with it is replaced. */
  tag?: string;
  /** More annotations on its index.json entry. */
  annotations?: Record<string, string>;
}

export interface WriteLayoutOptions {
  onEvent?: (e: LayoutEvent) => void;
  /** Remembered hashes of the layout's blobs (see blob-writer.ts); default: read every present blob. */
  hashes?: FileHashes;
  /** How long to wait for another writer of the same layout (default 30 s). */
  lockTimeoutMs?: number;
  /**
   * Changes index.json after the entries are merged, under the layout's lock (signing uses it to
   * mark the image and replace its signature entry, as `cosign save` lays them out).
   */
  transformIndex?: (index: ImageIndex) => ImageIndex;
}

export interface WriteLayoutResult {
  /** The descriptors added to index.json. */
  manifests: Descriptor[];
  /** Whether the layout was created (false: an existing one was updated). */
  created: boolean;
}

const OCI_LAYOUT = Buffer.from('{"imageLayoutVersion":"1.0.0"}');
const TAG_RE = /^[A-Za-z0-9][A-Za-z0-9._:@/+-]*$/;

/**
 * Writes artifacts into the layout at `dir` (created when absent or empty).
 *
 * @example await writeLayout('out/app', [{ artifact: image, tag: 'latest' }]);
 */
export async function writeLayout(
  dir: string,
  entries: readonly LayoutEntry[],
  opts: WriteLayoutOptions = {},
): Promise<WriteLayoutResult> {
  for (const e of entries) {
    if (e.tag !== undefined && !TAG_RE.test(e.tag)) {
      throw new OciError('IMAGE_REF_INVALID', `not a valid ref name: ${JSON.stringify(e.tag)}`);
    }
  }
  const manifests = entries.map((e) => topDescriptor(e));
  // An output that is a symlink (to a directory, or dangling) is written through, never replaced.
  dir = await throughLinks(dir);
  const s = await stat(dir).catch(() => undefined);
  if (!s) return createLayout(dir, entries, manifests, opts);
  if (!s.isDirectory()) throw new OciError('OUTPUT_EXISTS', `${dir} exists and is not a directory`);
  const names = await readdir(dir);
  if (names.length === 0) return createLayout(dir, entries, manifests, opts);
  if (!names.includes('oci-layout')) {
    throw new OciError('OUTPUT_EXISTS', `${dir} exists, is not empty and is not an OCI image layout`);
  }
  return updateLayout(dir, entries, manifests, opts);
}

async function createLayout(
  dir: string,
  entries: readonly LayoutEntry[],
  manifests: Descriptor[],
  opts: WriteLayoutOptions,
): Promise<WriteLayoutResult> {
  await mkdir(dirname(dir), { recursive: true });
  // Not mkdtemp: its 0700 would become the layout's mode; mkdir honours the umask like any output.
  await sweepTemps(dirname(dir), basename(dir));
  const tmp = tempPath(dirname(dir), basename(dir));
  const release = holdTemp(tmp);
  await mkdir(tmp);
  try {
    await writeFile(join(tmp, 'oci-layout'), OCI_LAYOUT);
    await mkdir(join(tmp, 'blobs', 'sha256'), { recursive: true });
    const ctx = { ...writerContext(tmp, opts), finalRoot: dir };
    for (const e of entries) await putArtifact(ctx, e.artifact);
    const merged = mergeIndex({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] }, manifests);
    const index = opts.transformIndex ? opts.transformIndex(merged) : merged;
    await writeFile(join(tmp, 'index.json'), canonicalBytes(index));
    // rename(2) replaces an empty directory, and fails if someone filled the target meanwhile.
    await rename(tmp, dir).catch((err) => {
      throw new OciError('OUTPUT_EXISTS', `${dir} appeared while the layout was being written`, {
        cause: err,
      });
    });
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    release();
  }
  return { manifests, created: true };
}

async function updateLayout(
  dir: string,
  entries: readonly LayoutEntry[],
  manifests: Descriptor[],
  opts: WriteLayoutOptions,
): Promise<WriteLayoutResult> {
  // A broken layout is reported before anything is added to it.
  await readLayoutIndex(dir);
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await sweepTemps(join(dir, 'blobs', 'sha256'), '');
  await sweepTemps(dir, 'index.json');
  const ctx = writerContext(dir, opts);
  for (const e of entries) await putArtifact(ctx, e.artifact);
  const lockOpts = opts.lockTimeoutMs !== undefined ? { timeoutMs: opts.lockTimeoutMs } : {};
  await withLock(
    join(dir, 'index.json.lock'),
    async () => {
      // Re-read under the lock: another writer may have added a tag since the check above.
      const merged = mergeIndex(await readLayoutIndex(dir), manifests);
      const next = opts.transformIndex ? opts.transformIndex(merged) : merged;
      const tmp = tempPath(dir, 'index.json');
      const release = holdTemp(tmp);
      try {
        await writeFile(tmp, canonicalBytes(next));
        await rename(tmp, join(dir, 'index.json'));
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      } finally {
        release();
      }
    },
    lockOpts,
  );
  return { manifests, created: false };
}

/** The index.json entry for an artifact: its descriptor with the ref name set (or removed). */
async function throughLinks(path: string): Promise<string> {
  for (let hops = 0; hops < 40; hops++) {
    const l = await lstat(path).catch(() => undefined);
    if (!l?.isSymbolicLink()) return path;
    path = resolve(dirname(path), await readlink(path));
  }
  throw new OciError('OUTPUT_NOT_REGULAR', `${path}: too many levels of symbolic links`);
}

function writerContext(root: string, opts: WriteLayoutOptions): BlobWriterContext {
  return {
    root,
    seen: new Set<string>(),
    hashes: opts.hashes ?? contentHashes(),
    ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
  };
}

function topDescriptor(e: LayoutEntry): Descriptor {
  const { annotations, ...rest } = e.artifact.descriptor;
  const ann: Record<string, string> = { ...annotations, ...e.annotations };
  delete ann[REF_NAME_ANNOTATION];
  if (e.tag !== undefined) ann[REF_NAME_ANNOTATION] = e.tag;
  return { ...rest, ...(Object.keys(ann).length ? { annotations: ann } : {}) };
}

/** index.json with `added` appended: a tag moves to its new manifest, other entries stay. */
export function mergeIndex(index: ImageIndex, added: readonly Descriptor[]): ImageIndex {
  let manifests = [...index.manifests];
  for (const d of added) {
    const tag = d.annotations?.[REF_NAME_ANNOTATION];
    manifests = manifests.filter((m) =>
      tag !== undefined
        ? m.annotations?.[REF_NAME_ANNOTATION] !== tag
        : !(m.digest === d.digest && m.annotations?.[REF_NAME_ANNOTATION] === undefined),
    );
    manifests.push(d);
  }
  return { ...index, schemaVersion: 2, mediaType: index.mediaType ?? MediaTypes.ociIndex, manifests };
}
