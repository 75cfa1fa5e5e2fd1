/**
 * The images cosign attaches to an image: a signature image (one layer per signature, media
 * type simplesigning, the signature in an annotation) and an attestation image (one layer per
 * DSSE envelope, `predicateType` in an annotation). Built the way cosign builds them — OCI
 * manifest, a config like go-containerregistry's empty image's, each layer's diff_id its digest —
 * and read back with every blob checked against its digest.
 */
import { Readable } from 'node:stream';
import {
  canonicalBytes,
  type Descriptor,
  type Digest,
  type Image,
  imageFromRaw,
  type Layer,
  MediaTypes,
  sha256,
} from '../oci/index.ts';
import { SignError } from './errors.ts';

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
export const BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const PREDICATE_TYPE_ANNOTATION = 'predicateType';

/** What is attached: signatures (`.sig`) or attestations (`.att`). */
export type AttachedKind = 'sig' | 'att';

/** The OCI 1.1 artifact type cosign gives a referrer of this kind (config media type). */
export function artifactTypeOf(kind: AttachedKind): string {
  return `application/vnd.dev.cosign.artifact.${kind}.v1+json`;
}

/** One attached blob: its bytes and layer annotations. */
export interface AttachedLayer {
  mediaType: string;
  payload: Buffer;
  annotations: Record<string, string>;
}

function memoryLayer(l: AttachedLayer): Layer {
  const digest = sha256(l.payload);
  return {
    descriptor: {
      mediaType: l.mediaType,
      digest,
      size: l.payload.length,
      ...(Object.keys(l.annotations).length ? { annotations: l.annotations } : {}),
    },
    diffId: digest,
    uncompressedSize: l.payload.length,
    open: async () => Readable.from([l.payload]),
  };
}

export interface AttachedImageOptions {
  /** OCI 1.1 referrer: the image it refers to (its manifest's `subject`). */
  subject?: Descriptor;
  /** With `subject`: the config media type (cosign's artifact type). */
  artifactType?: string;
}

/** The image holding `layers` (cosign's signature/attestation manifest). */
export function attachedImage(layers: readonly AttachedLayer[], o: AttachedImageOptions = {}): Image {
  const ls = layers.map(memoryLayer);
  const zero = '0001-01-01T00:00:00Z';
  const rawConfig = Buffer.from(
    JSON.stringify({
      architecture: '',
      created: zero,
      history: ls.map(() => ({ created: zero })),
      os: '',
      rootfs: { type: 'layers', diff_ids: ls.map((l) => l.diffId) },
      config: {},
    }),
  );
  const subject = o.subject
    ? { mediaType: o.subject.mediaType, digest: o.subject.digest, size: o.subject.size }
    : undefined;
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: {
      mediaType: o.artifactType ?? MediaTypes.ociConfig,
      size: rawConfig.length,
      digest: sha256(rawConfig),
    },
    layers: ls.map((l) => l.descriptor),
    ...(subject ? { subject } : {}),
  };
  return imageFromRaw(canonicalBytes(manifest), rawConfig, ls, undefined, MediaTypes.ociManifest);
}

/** Reads every layer of an attached image (each blob checked against its digest, up to 16 MiB). */
export async function readAttachedLayers(img: Image, what: string): Promise<AttachedLayer[]> {
  const out: AttachedLayer[] = [];
  for (const l of img.layers) {
    const d = l.descriptor;
    if (d.size > 16 * 1024 * 1024)
      throw new SignError(
        'SIGN_MANIFEST_INVALID',
        `${what}: layer ${d.digest} is ${d.size} bytes; too large`,
      );
    const parts: Buffer[] = [];
    for await (const c of await l.open()) parts.push(c as Buffer);
    const payload = Buffer.concat(parts);
    if (sha256(payload) !== d.digest)
      throw new SignError('SIGN_MANIFEST_INVALID', `${what}: layer ${d.digest} does not match its digest`);
    out.push({ mediaType: d.mediaType, payload, annotations: { ...d.annotations } });
  }
  return out;
}

/** `sha256-<hex>.sig` / `.att`: the tag cosign stores an image's signatures/attestations under. */
export function attachedTag(digest: Digest, kind: AttachedKind): string {
  return `${digest.replace(':', '-')}.${kind}`;
}

/** `existing` with `added` appended, leaving out layers already there (same payload and annotations). */
export function appendLayers(
  existing: readonly AttachedLayer[],
  added: readonly AttachedLayer[],
): AttachedLayer[] {
  const key = (l: AttachedLayer) =>
    `${sha256(l.payload)}|${JSON.stringify(Object.entries(l.annotations).sort())}`;
  const seen = new Set(existing.map(key));
  return [...existing, ...added.filter((l) => !seen.has(key(l)))];
}
