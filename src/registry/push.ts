/**
 * Push an image or index: every blob first (HEAD, then mount or upload; bounded parallelism),
 * then child manifests by digest, then the top manifest by tag — so a tag never names something
 * whose parts are missing. A re-push of the same artifact sends only HEADs.
 */
import { Readable } from 'node:stream';
import type { Descriptor, Digest } from '../oci/index.ts';
import { type Artifact, imagesOf, MediaTypes } from '../oci/index.ts';
import { eachLimit, type RegistryClientOptions, sessionFor } from './client.ts';
import { RegistryError } from './errors.ts';
import { headManifest, putManifest } from './manifest-io.ts';
import { formatReference, parseReference, type Reference } from './reference.ts';
import { repoScope } from './session.ts';
import { type BlobSource, blobExists, type UploadContext, uploadBlob } from './upload.ts';

export interface PushOptions extends RegistryClientOptions {
  /** Blobs uploaded at once. Default 4. */
  jobs?: number;
  /** Repositories on the same registry that may hold the blobs already: tried as mount sources. */
  mountFrom?: readonly string[];
  /** Chunked upload above this many bytes. Default 64 MiB. */
  chunkThreshold?: number;
  /** Chunk size. Default 16 MiB. */
  chunkSize?: number;
}

export interface PushResult {
  /** `host/repo:tag@sha256:...` */
  reference: string;
  digest: Digest;
  mediaType: string;
  size: number;
  blobs: { existing: number; mounted: number; uploaded: number; uploadedBytes: number };
  manifests: { existing: number; pushed: number };
}

const FOREIGN = new Set([
  MediaTypes.dockerForeignLayer,
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
]);

/** The manifests under an artifact, children before parents, each once. */
function manifestsInOrder(a: Artifact, out: Artifact[] = [], seen = new Set<string>()): Artifact[] {
  if (a.kind === 'index') for (const c of a.children) manifestsInOrder(c, out, seen);
  if (!seen.has(a.descriptor.digest)) {
    seen.add(a.descriptor.digest);
    out.push(a);
  }
  return out;
}

/** Every blob under an artifact, each once (configs held in memory, layers opened from their source). */
function blobsOf(a: Artifact): BlobSource[] {
  const byDigest = new Map<string, BlobSource>();
  for (const img of imagesOf(a)) {
    const raw = img.rawConfig;
    byDigest.set(img.manifest.config.digest, {
      descriptor: img.manifest.config,
      open: async () => Readable.from([raw]),
    });
    for (const l of img.layers) {
      if (FOREIGN.has(l.descriptor.mediaType) && l.descriptor.urls?.length) continue;
      if (!byDigest.has(l.descriptor.digest)) byDigest.set(l.descriptor.digest, l);
    }
  }
  return [...byDigest.values()];
}

/**
 * Pushes `artifact` to `ref` (a tag or digest reference) and resolves to its digest and counts.
 * @example
 *   const r = await pushArtifact(image, '127.0.0.1:5000/app:1', { keychain, onEvent });
 *   console.log(r.digest);
 */
export async function pushArtifact(
  artifact: Artifact,
  ref: string | Reference,
  opts: PushOptions = {},
): Promise<PushResult> {
  const r = typeof ref === 'string' ? parseReference(ref) : ref;
  const digest = artifact.descriptor.digest;
  if (r.digest && r.digest !== digest) {
    throw new RegistryError(
      'REGISTRY_DIGEST_MISMATCH',
      `cannot push ${digest} to ${formatReference(r)}: the reference names a different digest`,
    );
  }
  const session = sessionFor(r, opts);
  const mountFrom = (opts.mountFrom ?? []).filter((m) => m !== r.repository);
  // Push scope first: a few registries only look at the first scope.
  const scopes = [repoScope(r.repository, 'push,pull'), ...mountFrom.map((m) => repoScope(m, 'pull'))];
  const ctx: UploadContext = {
    session,
    repository: r.repository,
    scopes,
    onEvent: opts.onEvent,
    chunkThreshold: opts.chunkThreshold ?? 64 * 1024 * 1024,
    chunkSize: opts.chunkSize ?? 16 * 1024 * 1024,
  };
  const result: PushResult = {
    reference: `${formatReference({ ...r, digest: undefined } as Reference)}@${digest}`,
    digest,
    mediaType: artifact.descriptor.mediaType,
    size: artifact.descriptor.size,
    blobs: { existing: 0, mounted: 0, uploaded: 0, uploadedBytes: 0 },
    manifests: { existing: 0, pushed: 0 },
  };
  await eachLimit(blobsOf(artifact), opts.jobs ?? 4, async (blob) => {
    const d: Descriptor = blob.descriptor;
    if (await blobExists(ctx, d.digest)) {
      result.blobs.existing++;
      opts.onEvent?.({ type: 'blob-exists', digest: d.digest, size: d.size });
      return;
    }
    for (const from of mountFrom) {
      // A mount is only worth a POST when the source has the blob; a HEAD there is cheap.
      if (!(await blobExists({ ...ctx, repository: from }, d.digest).catch(() => false))) continue;
      if ((await uploadBlob(ctx, blob, from)) === 'mounted') {
        result.blobs.mounted++;
        return;
      }
      result.blobs.uploaded++;
      result.blobs.uploadedBytes += d.size;
      return;
    }
    await uploadBlob(ctx, blob);
    result.blobs.uploaded++;
    result.blobs.uploadedBytes += d.size;
  });
  const manifests = manifestsInOrder(artifact);
  for (const m of manifests) {
    const top = m === artifact;
    const id = top && r.tag && !r.digest ? r.tag : m.descriptor.digest;
    const there = await headManifest(session, r.repository, id, scopes);
    if (there === m.descriptor.digest) {
      result.manifests.existing++;
      opts.onEvent?.({
        type: 'manifest-exists',
        digest: m.descriptor.digest,
        reference: `${r.repository}:${id}`,
      });
      continue;
    }
    await putManifest(session, r.repository, id, m.rawManifest, m.descriptor.mediaType, scopes);
    result.manifests.pushed++;
    opts.onEvent?.({
      type: 'manifest-pushed',
      digest: m.descriptor.digest,
      reference: `${r.repository}${id.startsWith('sha256:') ? '@' : ':'}${id}`,
      mediaType: m.descriptor.mediaType,
    });
  }
  return result;
}
