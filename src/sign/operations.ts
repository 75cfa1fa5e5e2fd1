/**
 * Sign, attest and verify one image through its store: read what is attached, append (unless the
 * same payload is already signed by the same key, as cosign's duplicate detector does), write.
 * Verification follows cosign's rules: a layer counts when its signature verifies with the key and
 * its payload names the image's digest; at least one must.
 */
import {
  type AttachedKind,
  type AttachedLayer,
  DSSE_MEDIA_TYPE,
  PREDICATE_TYPE_ANNOTATION,
  SIMPLE_SIGNING_MEDIA_TYPE,
} from './attached.ts';
import { alreadySigned, attestationLayer, namedDigests, signatureLayer, signedContent } from './envelope.ts';
import { SignError } from './errors.ts';
import { parseSimpleSigning, SIMPLE_SIGNING_TYPE } from './payload.ts';
import type { Signer, Verifier } from './signer.ts';
import type { AttachedStore, WriteAttachedResult } from './store.ts';

async function attach(
  store: AttachedStore,
  kind: AttachedKind,
  layer: AttachedLayer,
  signer: Signer,
): Promise<WriteAttachedResult> {
  const existing = await store.read(kind);
  const dup = alreadySigned(existing, layer, signer);
  return store.write(kind, dup ? existing : [...existing, layer], dup ? 0 : 1);
}

/** Signs the store's image (a simple-signing signature) and stores it. */
export async function signImage(store: AttachedStore, signer: Signer): Promise<WriteAttachedResult> {
  return attach(store, 'sig', await signatureLayer(signer, store.name, store.subject.digest), signer);
}

/** Attests `statement` (an in-toto statement about the store's image) and stores the envelope. */
export async function attestImage(
  store: AttachedStore,
  signer: Signer,
  statement: Buffer,
  predicateType: string,
): Promise<WriteAttachedResult> {
  return attach(store, 'att', await attestationLayer(signer, statement, predicateType), signer);
}

export interface Verified {
  /** The signed payload (simple-signing JSON, or the in-toto statement). */
  payload: Buffer;
  predicateType?: string;
}

export interface VerifyResult {
  verified: Verified[];
  /** Layers that did not verify, and why. */
  rejected: string[];
}

function check(l: AttachedLayer, digest: string, verifier: Verifier): string | undefined {
  const c = signedContent(l);
  if (!c) return `a ${l.mediaType} layer with no signature`;
  if (!c.signatures.some((s) => verifier.verify(c.data, s)))
    return 'its signature does not verify with the key';
  if (l.mediaType === SIMPLE_SIGNING_MEDIA_TYPE) {
    const p = parseSimpleSigning(c.payload);
    if (!p || p.critical.type !== SIMPLE_SIGNING_TYPE) return 'its payload is not a cosign image signature';
  }
  const named = namedDigests(l);
  if (!named.includes(digest)) return `it signs ${named.join(', ') || 'nothing'}, not ${digest}`;
  return undefined;
}

function verifyLayers(
  layers: readonly AttachedLayer[],
  digest: string,
  verifier: Verifier,
  what: string,
  where: string,
): VerifyResult {
  if (!layers.length) throw new SignError('SIGN_NOT_FOUND', `no ${what} found for ${where}`);
  const r: VerifyResult = { verified: [], rejected: [] };
  for (const l of layers) {
    const why = check(l, digest, verifier);
    if (why) r.rejected.push(why);
    else
      r.verified.push({
        payload: (signedContent(l) as { payload: Buffer }).payload,
        ...(l.annotations[PREDICATE_TYPE_ANNOTATION]
          ? { predicateType: l.annotations[PREDICATE_TYPE_ANNOTATION] }
          : {}),
      });
  }
  if (!r.verified.length)
    throw new SignError(
      'SIGN_VERIFY_FAILED',
      `no valid ${what} for ${where}: ${[...new Set(r.rejected)].join('; ')}`,
    );
  return r;
}

/** Verifies the image's signatures with `verifier`. */
export async function verifySignatures(store: AttachedStore, verifier: Verifier): Promise<VerifyResult> {
  const layers = (await store.read('sig')).filter((l) => l.mediaType === SIMPLE_SIGNING_MEDIA_TYPE);
  return verifyLayers(layers, store.subject.digest, verifier, 'signatures', store.where);
}

/**
 * Verifies the image's attestations of `predicateType` (a URI). The predicate type is read from
 * the signed statement, not from the annotation, which nobody signed.
 */
export async function verifyAttestations(
  store: AttachedStore,
  verifier: Verifier,
  predicateType: string,
): Promise<VerifyResult> {
  const layers = (await store.read('att')).filter((l) => l.mediaType === DSSE_MEDIA_TYPE);
  const all = verifyLayers(layers, store.subject.digest, verifier, 'attestations', store.where);
  const ofType = all.verified.filter((v) => {
    try {
      return (
        (JSON.parse(v.payload.toString('utf8')) as { predicateType?: unknown }).predicateType ===
        predicateType
      );
    } catch {
      return false;
    }
  });
  if (!ofType.length)
    throw new SignError(
      'SIGN_NOT_FOUND',
      `${store.where} has no valid attestation of type ${predicateType}${all.verified.length ? ` (it has: ${[...new Set(all.verified.map((v) => v.predicateType))].join(', ')})` : ''}`,
    );
  return { verified: ofType.map((v) => ({ ...v, predicateType })), rejected: all.rejected };
}
