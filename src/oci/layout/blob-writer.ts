/**
 * Puts blobs into a layout's blobs/sha256: each one is written to a temporary name in the same
 * directory and renamed once complete and checked, so a reader never sees half a blob. A blob
 * already there is kept only when its content hashes to its name — read again, unless the
 * caller's FileHashes remembers hashing that very file (same device, inode, size, mtime and
 * ctime). A same-size blob with other bytes (a flipped bit, a torn copy) is rewritten: keeping it
 * would make `skopeo copy` fail later with "Digest did not match".
 */
import { createWriteStream } from 'node:fs';
import { lstat, rename, rm, statfs, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FileHashes } from '../../files/index.ts';
import { holdTemp, tempPath } from '../../files/index.ts';
import { digestHex, sha256, VerifyingStream } from '../digest.ts';
import { OciError } from '../errors.ts';
import type { Artifact, Blob } from '../image.ts';
import type { Descriptor } from '../types.ts';
import { blobPath } from './blob-store.ts';

/** What a layout writer reports as it goes (the CLI renders these; the library never prints). */
export type LayoutEvent =
  | { type: 'blob-written'; digest: string; size: number }
  | { type: 'blob-skipped'; digest: string; size: number };

export interface BlobWriterContext {
  root: string;
  /** Hashes of blobs already in the layout, remembered per stat stamp. */
  hashes: FileHashes;
  /** Where the blobs will be once written (a new layout is written aside, then renamed). */
  finalRoot?: string;
  /** Digests already handled in this write: shared layers are copied once. */
  seen: Set<string>;
  onEvent?: (e: LayoutEvent) => void;
}

/** Writes every blob of an artifact: children before parents, layers and config before manifests. */
export async function putArtifact(ctx: BlobWriterContext, a: Artifact): Promise<void> {
  if (a.kind === 'index') {
    for (const c of a.children) await putArtifact(ctx, c);
    await putBytes(ctx, a.descriptor, a.rawManifest, 'index');
    return;
  }
  for (const [i, l] of a.layers.entries()) await putStream(ctx, l, `layer ${i}`);
  await putBytes(ctx, a.manifest.config, a.rawConfig, 'config');
  await putBytes(ctx, a.descriptor, a.rawManifest, 'manifest');
}

async function putBytes(ctx: BlobWriterContext, d: Descriptor, bytes: Buffer, what: string): Promise<void> {
  if (ctx.seen.has(d.digest)) return;
  const got = sha256(bytes);
  if (got !== d.digest) {
    throw new OciError('OCI_DIGEST_MISMATCH', `${what}: content is ${got}, descriptor says ${d.digest}`);
  }
  await putBlob(ctx, d, (tmp) => writeFile(tmp, bytes));
}

async function putStream(ctx: BlobWriterContext, b: Blob, what: string): Promise<void> {
  const d = b.descriptor;
  if (ctx.seen.has(d.digest)) return;
  await assertRoom(ctx.root, d, what);
  await putBlob(ctx, d, async (tmp) =>
    pipeline(await b.open(), new VerifyingStream(d.digest, d.size, what), createWriteStream(tmp)),
  );
}

/** Writes the blob `d` with `write(tmp)` and renames it into place, unless it is already there. */
async function putBlob(
  ctx: BlobWriterContext,
  d: Descriptor,
  write: (tmp: string) => Promise<void>,
): Promise<void> {
  const path = blobPath(ctx.root, d.digest);
  if (!(await intact(ctx, path, d))) {
    const tmp = tempPath(dirname(path));
    const release = holdTemp(tmp);
    try {
      await write(tmp);
      await rename(tmp, path);
      // Written from verified bytes: its stamp is remembered, so the next write need not read it.
      const st = await lstat(path);
      ctx.hashes.remember(blobPath(ctx.finalRoot ?? ctx.root, d.digest), st, digestHex(d.digest));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    } finally {
      release();
    }
    ctx.onEvent?.({ type: 'blob-written', digest: d.digest, size: d.size });
  } else ctx.onEvent?.({ type: 'blob-skipped', digest: d.digest, size: d.size });
  ctx.seen.add(d.digest);
}

/** Whether the file at `path` is the blob `d` names: its size, then its content (see the module comment). */
async function intact(ctx: BlobWriterContext, path: string, d: Descriptor): Promise<boolean> {
  const s = await lstat(path).catch(() => undefined);
  if (!s?.isFile() || s.size !== d.size) return false;
  return (await ctx.hashes.of(path, s)) === digestHex(d.digest);
}

/**
 * A blob is never started when the disk cannot hold it: a registry that declares a 1 TB layer
 * (and would stream until the disk is full) is refused before the first byte. The stream itself
 * stops at the declared size (VerifyingStream), so a blob never grows past what was checked.
 */
async function assertRoom(root: string, d: Descriptor, what: string): Promise<void> {
  const fs = await statfs(root).catch(() => undefined);
  if (!fs) return;
  const free = fs.bavail * fs.bsize;
  if (d.size > free)
    throw new OciError(
      'OUTPUT_NO_SPACE',
      `${what} ${d.digest} is ${d.size} bytes, more than the ${free} bytes free in ${root}; nothing was written`,
    );
}
