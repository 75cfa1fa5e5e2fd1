/** Manifest requests: the Accept list, HEAD for existence, GET verified by digest, PUT with its media type. */
import { type Digest, MediaTypes, sha256 } from '../oci/index.ts';
import { RegistryError } from './errors.ts';
import { httpError } from './http-error.ts';
import type { RegistrySession } from './session.ts';

/** Every manifest kind this client reads, as go-containerregistry sends them. */
export const MANIFEST_ACCEPT = [
  MediaTypes.ociManifest,
  MediaTypes.ociIndex,
  MediaTypes.dockerManifest,
  MediaTypes.dockerManifestList,
].join(', ');

/** Largest manifest read into memory (distribution's own limit is 4 MiB). */
export const MANIFEST_LIMIT = 4 * 1024 * 1024;

export interface FetchedManifest {
  raw: Buffer;
  digest: Digest;
  mediaType: string;
}

/** HEAD manifests/ID: its digest when present; undefined when absent (404, or 403 as JFrog says it). */
export async function headManifest(
  session: RegistrySession,
  repository: string,
  id: string,
  scopes: readonly string[],
): Promise<Digest | undefined> {
  const what = `HEAD manifest ${repository}:${id}`;
  const res = await session.request(
    { method: 'HEAD', url: `/v2/${repository}/manifests/${id}`, what, headers: { accept: MANIFEST_ACCEPT } },
    scopes,
  );
  await res.discard();
  if (res.status === 404 || res.status === 403) return undefined;
  if (res.status !== 200) throw httpError(what, res.status, '');
  const d = res.headers.get('docker-content-digest');
  return d && /^sha256:[a-f0-9]{64}$/.test(d) ? (d as Digest) : undefined;
}

/**
 * GET manifests/ID. The digest is computed from the bytes: when `expected` is given (a digest
 * reference, or a descriptor from an index) a difference is REGISTRY_DIGEST_MISMATCH; a tag's
 * Docker-Content-Digest header is not trusted.
 */
export async function getManifest(
  session: RegistrySession,
  repository: string,
  id: string,
  scopes: readonly string[],
  expected?: { digest: Digest; size?: number },
): Promise<FetchedManifest> {
  const what = `GET manifest ${repository}${id.startsWith('sha256:') ? '@' : ':'}${id}`;
  const res = await session.request(
    { method: 'GET', url: `/v2/${repository}/manifests/${id}`, what, headers: { accept: MANIFEST_ACCEPT } },
    scopes,
  );
  if (res.status !== 200) throw httpError(what, res.status, await res.text(64 * 1024).catch(() => ''));
  const raw = await res.bytes(MANIFEST_LIMIT);
  const digest = sha256(raw);
  if (
    expected &&
    (digest !== expected.digest || (expected.size !== undefined && expected.size !== raw.length))
  ) {
    throw new RegistryError(
      'REGISTRY_DIGEST_MISMATCH',
      `${what}: the registry sent ${raw.length} bytes hashing to ${digest}, expected ${expected.digest}${
        expected.size !== undefined ? ` (${expected.size} bytes)` : ''
      }`,
    );
  }
  let body: { mediaType?: unknown; schemaVersion?: unknown };
  try {
    body = JSON.parse(raw.toString('utf8')) as typeof body;
  } catch (e) {
    throw new RegistryError('REGISTRY_PROTOCOL', `${what}: the manifest is not JSON`, { cause: e });
  }
  const header = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  const mediaType = typeof body.mediaType === 'string' ? body.mediaType : header;
  if (body.schemaVersion !== 2) {
    throw new RegistryError(
      'REGISTRY_PROTOCOL',
      `${what}: schemaVersion ${String(body.schemaVersion)} manifests (${mediaType || 'unknown type'}) are not supported`,
    );
  }
  return { raw, digest, mediaType };
}

/** PUT manifests/ID with Content-Type = the manifest's media type; checks the digest the registry reports. */
export async function putManifest(
  session: RegistrySession,
  repository: string,
  id: string,
  raw: Buffer,
  mediaType: string,
  scopes: readonly string[],
): Promise<void> {
  const what = `PUT manifest ${repository}${id.startsWith('sha256:') ? '@' : ':'}${id}`;
  const res = await session.request(
    {
      method: 'PUT',
      url: `/v2/${repository}/manifests/${id}`,
      what,
      headers: { 'content-type': mediaType },
      body: async () => raw,
      length: raw.length,
    },
    scopes,
  );
  if (![200, 201, 202].includes(res.status))
    throw httpError(what, res.status, await res.text(64 * 1024).catch(() => ''));
  await res.discard();
  const got = res.headers.get('docker-content-digest');
  const want = sha256(raw);
  if (got && got !== want) {
    throw new RegistryError(
      'REGISTRY_DIGEST_MISMATCH',
      `${what}: the registry stored ${got}, we sent ${want}`,
    );
  }
  // No digest in the answer: ask for the manifest by digest before calling the push a success.
  if (!got && (await headManifest(session, repository, want, scopes)) !== want)
    throw new RegistryError(
      'REGISTRY_PROTOCOL',
      `${what}: the registry answered HTTP ${res.status} but does not have ${want}; nothing was stored`,
    );
}
