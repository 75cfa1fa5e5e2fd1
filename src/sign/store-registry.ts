/**
 * Signatures and attestations in a registry, where cosign looks: the `sha256-<hex>.sig` /
 * `.att` tag (every registry; cosign 2.x's default), and — when the registry answers the OCI 1.1
 * referrers API (`GET /v2/<name>/referrers/<digest>`) — also a referrer manifest whose `subject`
 * is the image and whose config media type is cosign's artifact type, as
 * `cosign sign --registry-referrers-mode=oci-1-1` writes it (and `cosign verify
 * --experimental-oci11` reads it). The tag is written in both cases so a cosign without that
 * flag finds the signature too.
 */
import { type Artifact, type Descriptor, type Digest, type Image, MediaTypes } from '../oci/index.ts';
import {
  DOCKER_HUB,
  formatReference,
  type PullOptions,
  parseReference,
  pullArtifact,
  pushArtifact,
  type Reference,
  RegistryError,
  repoScope,
  sessionFor,
} from '../registry/index.ts';
import {
  type AttachedKind,
  type AttachedLayer,
  appendLayers,
  artifactTypeOf,
  attachedImage,
  attachedTag,
  readAttachedLayers,
} from './attached.ts';
import { SignError } from './errors.ts';
import type { AttachedStore, WriteAttachedResult } from './store.ts';

/** cosign's docker-reference for a repository: go-containerregistry's `Repository.Name()`. */
export function dockerReferenceOf(r: Reference): string {
  const host = r.registry === DOCKER_HUB.name ? DOCKER_HUB.apiHost : r.registry;
  return `${host}/${r.repository}`;
}

interface ReferrersIndex {
  manifests?: Descriptor[];
}

/** The referrers of `digest`, or undefined when the registry has no referrers API (404, 405…). */
export async function listReferrers(
  r: Reference,
  digest: Digest,
  opts: PullOptions,
  artifactType?: string,
): Promise<Descriptor[] | undefined> {
  const session = sessionFor(r, opts);
  const q = artifactType ? `?artifactType=${encodeURIComponent(artifactType)}` : '';
  const res = await session.request(
    {
      method: 'GET',
      url: `/v2/${r.repository}/referrers/${digest}${q}`,
      what: `GET referrers of ${r.repository}@${digest}`,
      headers: { accept: MediaTypes.ociIndex },
    },
    [repoScope(r.repository, 'pull')],
  );
  const text = await res.text(4 * 1024 * 1024).catch(() => '');
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim();
  if (res.status !== 200 || type !== MediaTypes.ociIndex) return undefined;
  let idx: ReferrersIndex;
  try {
    idx = JSON.parse(text) as ReferrersIndex;
  } catch {
    return undefined;
  }
  if (!Array.isArray(idx.manifests)) return undefined;
  // A registry may ignore the filter (it says so by omitting OCI-Filters-Applied).
  return artifactType ? idx.manifests.filter((d) => d.artifactType === artifactType) : idx.manifests;
}

function notFound(e: unknown): boolean {
  return e instanceof RegistryError && e.code === 'REGISTRY_NOT_FOUND';
}

async function layersOf(a: Artifact, what: string): Promise<AttachedLayer[]> {
  if (a.kind !== 'image')
    throw new SignError('SIGN_MANIFEST_INVALID', `${what} is an index, not a signature manifest`);
  return readAttachedLayers(a as Image, what);
}

/**
 * The store of the image `ref` names (a tag is resolved to its digest once, here, so every
 * signature names the digest that was pushed). `identity` replaces the name signatures carry
 * (cosign's --sign-container-identity).
 */
export async function registryStore(
  ref: string,
  opts: PullOptions,
  identity?: string,
): Promise<AttachedStore> {
  const r = parseReference(ref);
  const a = await pullArtifact(r, opts);
  const subject: Descriptor = {
    mediaType: a.descriptor.mediaType,
    digest: a.descriptor.digest,
    size: a.descriptor.size,
  };
  return { ...registryStoreOf(r, subject, opts), artifact: a, ...(identity ? { name: identity } : {}) };
}

/** The store of an image already known by its descriptor (after a push). */
export function registryStoreOf(
  ref: string | Reference,
  subject: Descriptor,
  opts: PullOptions,
): AttachedStore {
  const r = typeof ref === 'string' ? parseReference(ref) : ref;
  const repo: Reference = { registry: r.registry, repository: r.repository };
  const tagRef = (kind: AttachedKind): Reference => ({ ...repo, tag: attachedTag(subject.digest, kind) });
  return {
    subject,
    name: dockerReferenceOf(r),
    where: `${formatReference({ ...repo, digest: subject.digest })}`,
    async read(kind) {
      let out: AttachedLayer[] = [];
      const tr = tagRef(kind);
      try {
        out.push(...(await layersOf(await pullArtifact(tr, opts), formatReference(tr))));
      } catch (e) {
        if (!notFound(e)) throw e;
      }
      for (const d of (await listReferrers(repo, subject.digest, opts, artifactTypeOf(kind))) ?? []) {
        const rr: Reference = { ...repo, digest: d.digest as `sha256:${string}` };
        const ls = await layersOf(await pullArtifact(rr, opts), formatReference(rr));
        // The referrer usually repeats the tag's layers: each (payload, annotations) once.
        out = appendLayers(out, ls);
      }
      return out;
    },
    async write(kind, layers, added): Promise<WriteAttachedResult> {
      const tr = tagRef(kind);
      const img = attachedImage(layers);
      await pushArtifact(img, tr, opts);
      const result: WriteAttachedResult = {
        location: formatReference(tr),
        digest: img.descriptor.digest,
        layers: layers.length,
        added,
      };
      if ((await listReferrers(repo, subject.digest, opts)) !== undefined) {
        const ref = attachedImage(layers, { subject, artifactType: artifactTypeOf(kind) });
        const rr: Reference = { ...repo, digest: ref.descriptor.digest as `sha256:${string}` };
        await pushArtifact(ref, rr, opts);
        result.referrer = formatReference(rr);
      }
      return result;
    },
  };
}
