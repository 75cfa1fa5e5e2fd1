/**
 * Making the attached layers: a signature over the simple-signing payload, and a DSSE envelope
 * over an in-toto statement (PAE-signed, as `cosign attest` does). And the duplicate check cosign
 * makes before appending: a payload already signed by the same key is not signed again.
 */
import type { Digest } from '../oci/index.ts';
import {
  type AttachedLayer,
  BUNDLE_ANNOTATION,
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  DSSE_MEDIA_TYPE,
  PREDICATE_TYPE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from './attached.ts';
import { pae, simpleSigningPayload } from './payload.ts';
import { keyVerifier, type Signature, type Signer } from './signer.ts';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface Envelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

function certAnnotations(s: Signature): Record<string, string> {
  return {
    ...(s.certificate ? { [CERTIFICATE_ANNOTATION]: s.certificate } : {}),
    ...(s.chain ? { [CHAIN_ANNOTATION]: s.chain } : {}),
    ...(s.bundle ? { [BUNDLE_ANNOTATION]: s.bundle } : {}),
  };
}

/** The signature layer of `digest` named `dockerReference`. */
export async function signatureLayer(
  signer: Signer,
  dockerReference: string,
  digest: Digest,
): Promise<AttachedLayer> {
  const payload = simpleSigningPayload(dockerReference, digest);
  const s = await signer.sign(payload);
  return {
    mediaType: SIMPLE_SIGNING_MEDIA_TYPE,
    payload,
    annotations: { [SIGNATURE_ANNOTATION]: s.signature.toString('base64'), ...certAnnotations(s) },
  };
}

/** The DSSE envelope of an in-toto statement, signed over its PAE. */
export async function attestationLayer(
  signer: Signer,
  statement: Buffer,
  predicateType: string,
): Promise<AttachedLayer> {
  const s = await signer.sign(pae(IN_TOTO_PAYLOAD_TYPE, statement));
  const env: Envelope = {
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    payload: statement.toString('base64'),
    signatures: [{ keyid: '', sig: s.signature.toString('base64') }],
  };
  return {
    mediaType: DSSE_MEDIA_TYPE,
    payload: Buffer.from(JSON.stringify(env)),
    // cosign writes an empty signature annotation on attestations: the signature is in the envelope.
    annotations: {
      [SIGNATURE_ANNOTATION]: '',
      [PREDICATE_TYPE_ANNOTATION]: predicateType,
      ...certAnnotations(s),
    },
  };
}

/** Parses a DSSE envelope; undefined when the bytes are not one. */
export function parseEnvelope(bytes: Buffer): Envelope | undefined {
  try {
    const e = JSON.parse(bytes.toString('utf8')) as Envelope;
    return typeof e?.payloadType === 'string' && typeof e.payload === 'string' && Array.isArray(e.signatures)
      ? e
      : undefined;
  } catch {
    return undefined;
  }
}

/** The signed content of a layer and its signatures: simple-signing payload, or an envelope's PAE. */
export function signedContent(
  l: AttachedLayer,
): { data: Buffer; signatures: Buffer[]; payload: Buffer } | undefined {
  if (l.mediaType === SIMPLE_SIGNING_MEDIA_TYPE) {
    const sig = l.annotations[SIGNATURE_ANNOTATION];
    return sig
      ? { data: l.payload, signatures: [Buffer.from(sig, 'base64')], payload: l.payload }
      : undefined;
  }
  if (l.mediaType === DSSE_MEDIA_TYPE) {
    const e = parseEnvelope(l.payload);
    if (!e) return undefined;
    const payload = Buffer.from(e.payload, 'base64');
    return {
      data: pae(e.payloadType, payload),
      signatures: e.signatures.map((s) => Buffer.from(String(s.sig ?? ''), 'base64')),
      payload,
    };
  }
  return undefined;
}

/** Whether `existing` already holds `payload` signed by `signer`'s key (cosign's dupe detector). */
export function alreadySigned(
  existing: readonly AttachedLayer[],
  layer: AttachedLayer,
  signer: Signer,
): boolean {
  const mine = signedContent(layer);
  if (!mine) return false;
  const v = keyVerifier(signer.publicKey);
  return existing.some((l) => {
    const c = signedContent(l);
    return (
      c !== undefined &&
      l.mediaType === layer.mediaType &&
      c.payload.equals(mine.payload) &&
      l.annotations[PREDICATE_TYPE_ANNOTATION] === layer.annotations[PREDICATE_TYPE_ANNOTATION] &&
      c.signatures.some((s) => v.verify(c.data, s))
    );
  });
}

/** The image digests a layer speaks about: a signature's docker-manifest-digest, a statement's subjects. */
export function namedDigests(l: AttachedLayer): string[] {
  const c = signedContent(l);
  if (!c) return [];
  try {
    const j = JSON.parse(c.payload.toString('utf8')) as {
      critical?: { image?: { 'docker-manifest-digest'?: unknown } };
      subject?: { digest?: { sha256?: unknown } }[];
    };
    if (l.mediaType === SIMPLE_SIGNING_MEDIA_TYPE) {
      const d = j.critical?.image?.['docker-manifest-digest'];
      return typeof d === 'string' ? [d] : [];
    }
    return (Array.isArray(j.subject) ? j.subject : [])
      .map((s) => s?.digest?.sha256)
      .filter((h): h is string => typeof h === 'string')
      .map((h): string => `sha256:${h}`);
  } catch {
    return [];
  }
}
