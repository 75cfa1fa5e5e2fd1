/**
 * Push an image or index: every blob first (HEAD, then mount or upload; bounded parallelism),
 * then child manifests by digest, then the top manifest by tag — so a tag never names something
 * whose parts are missing. A re-push of the same artifact sends only HEADs. A blob missing from
 * the repository is mounted when a repository of the same registry has it (`mountFrom`, and the
 * ones `blobMemory` remembers from earlier pushes and pulls), else uploaded.
 */
import { Readable } from 'node:stream';
import type { Descriptor, Digest } from '../oci/index.ts';
import { type Artifact, imagesOf, MediaTypes } from '../oci/index.ts';
import { eachLimit, type RegistryClientOptions, sessionFor } from './client.ts';
import { RegistryError } from './errors.ts';
import { headManifest, putManifest } from './manifest-io.ts';
import { formatReference, manifestIdentifier, parseReference, type Reference } from './reference.ts';
import { repoScope } from './session.ts';
import { type BlobSource, blobExists, type UploadContext, uploadBlob } from './upload.ts';

export interface PushOptions extends RegistryClientOptions {
  /** Blobs (and then image manifests) pushed at once. Default 4. */
  jobs?: number;
  /** Repositories on the same registry that may hold the blobs already: tried as mount sources. */
  mountFrom?: readonly string[];
  /**
   * With no known source for a blob, POST `?mount=DIGEST` without `from` (OCI 1.1): a registry
   * that finds the blob elsewhere mounts it, any other answers with an upload session. Default true.
   */
  mountAnywhere?: boolean;
  /**
   * Shared by pushes running together (a publish): a blob another push is sending to the same
   * registry is waited for, then mounted from where it went, instead of being sent twice.
   */
  inflight?: Map<string, Promise<unknown>>;
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

/** Mount sources tried per blob (Docker tries 3 too). */
const MOUNT_ATTEMPTS = 3;

const FOREIGN = new Set([
  MediaTypes.dockerForeignLayer,
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
]);

/** A manifest PUT refused because a blob or child manifest it names is unknown to the registry. */
function namesUnknownPart(e: unknown): e is RegistryError {
  return (
    e instanceof RegistryError &&
    e.entries.some((x) => x.code === 'MANIFEST_BLOB_UNKNOWN' || x.code === 'BLOB_UNKNOWN')
  );
}

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
  const memory = opts.blobMemory;
  const jobs = opts.jobs ?? 4;
  await eachLimit(blobsOf(artifact), jobs, async (blob) => {
    const d: Descriptor = blob.descriptor;
    const key = `${r.registry} ${d.digest}`;
    // Looked up and claimed in one synchronous step: two pushes cannot both claim a blob.
    const prior = opts.inflight?.get(key);
    let done = () => {};
    if (opts.inflight && !prior) {
      opts.inflight.set(
        key,
        new Promise<void>((resolve) => {
          done = resolve;
        }),
      );
    }
    await prior;
    try {
      await pushBlob(d, blob);
    } finally {
      done();
    }
  });
  /** Sends one blob unless the repository has it; `recheck`: it was counted already (a second look). */
  async function pushBlob(d: Descriptor, blob: BlobSource, recheck = false): Promise<void> {
    if (await blobExists(ctx, d.digest)) {
      if (recheck) return;
      result.blobs.existing++;
      opts.onEvent?.({ type: 'blob-exists', digest: d.digest, size: d.size });
      await memory?.remember(r.registry, r.repository, [d.digest]);
      return;
    }
    const remembered = (await memory?.reposFor(r.registry, d.digest)) ?? [];
    const from = [...new Set([...mountFrom, ...remembered])]
      .filter((x) => x !== r.repository)
      .slice(0, MOUNT_ATTEMPTS);
    const how = await uploadBlob(ctx, blob, {
      from,
      anywhere: opts.mountAnywhere ?? true,
      refused: (repo) => void memory?.forget(r.registry, repo, d.digest),
    });
    if (how === 'mounted') result.blobs.mounted++;
    else {
      result.blobs.uploaded++;
      result.blobs.uploadedBytes += d.size;
    }
    await memory?.remember(r.registry, r.repository, [d.digest]);
  }
  const pushManifest = async (m: Artifact, recheck = false) => {
    const top = m === artifact;
    const id = top && r.tag && !r.digest ? r.tag : m.descriptor.digest;
    const there = await headManifest(session, r.repository, id, scopes);
    if (there === m.descriptor.digest) {
      if (recheck) return;
      result.manifests.existing++;
      opts.onEvent?.({
        type: 'manifest-exists',
        digest: m.descriptor.digest,
        reference: `${r.repository}:${id}`,
      });
      return;
    }
    await putManifestRechecked(m, id);
    result.manifests.pushed++;
    opts.onEvent?.({
      type: 'manifest-pushed',
      digest: m.descriptor.digest,
      reference: `${r.repository}${id.startsWith('sha256:') ? '@' : ':'}${id}`,
      mediaType: m.descriptor.mediaType,
    });
  };
  /**
   * PUT, and when the registry says a blob or child manifest it names is unknown although this
   * push saw it there: make sure each one is there (HEAD, and push again what is missing), wait,
   * and PUT again, as often as the registry retry policy allows. Two pushes sending the same blob
   * to one repository at once meet this: distribution rewrites the blob's link file in place on
   * every upload and mount, and a manifest PUT that reads it half-written answers 400
   * (DIGEST_INVALID + MANIFEST_BLOB_UNKNOWN); registries on eventually consistent storage too.
   */
  async function putManifestRechecked(m: Artifact, id: string): Promise<void> {
    const t = session.transport.options;
    for (let attempt = 1; ; attempt++) {
      try {
        await putManifest(session, r.repository, id, m.rawManifest, m.descriptor.mediaType, scopes);
        return;
      } catch (e) {
        if (!namesUnknownPart(e) || attempt >= t.policy.attempts) throw e;
        const delayMs = session.transport.delayFor(e, attempt);
        t.onRetry?.({ what: `PUT manifest ${r.repository}:${id}`, attempt, delayMs, error: e });
        await t.sleep(delayMs);
        if (m.kind === 'index') for (const c of m.children) await pushManifest(c, true);
        else await eachLimit(blobsOf(m), jobs, (b) => pushBlob(b.descriptor, b, true));
      }
    }
  }
  // Every platform's image manifest at once (their blobs are all there now), then the indexes
  // children first, the top one (the tag) last.
  const manifests = manifestsInOrder(artifact);
  await eachLimit(
    manifests.filter((m) => m.kind === 'image'),
    jobs,
    (m) => pushManifest(m),
  );
  for (const m of manifests.filter((x) => x.kind === 'index')) await pushManifest(m);
  return result;
}

/**
 * The digest `ref` (a tag or digest reference) names in its registry now, or undefined when it
 * names nothing: one HEAD. `intent` picks the token scope (a HEAD before a push asks for push,
 * so the push that may follow reuses the token).
 */
export async function referenceDigest(
  ref: string | Reference,
  opts: RegistryClientOptions = {},
  intent: 'pull' | 'push,pull' = 'pull',
): Promise<Digest | undefined> {
  const r = typeof ref === 'string' ? parseReference(ref) : ref;
  return headManifest(sessionFor(r, opts), r.repository, manifestIdentifier(r), [
    repoScope(r.repository, intent),
  ]);
}
