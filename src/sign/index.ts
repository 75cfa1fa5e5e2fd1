/**
 * cosign-compatible signing: cosign's key files, the simple-signing and DSSE payloads, the
 * `.sig`/`.att` images (and OCI 1.1 referrers) in registries and `cosign save` layouts, and
 * verification. A `Signer` is the seam where keyless (Fulcio/Rekor) signing would plug in.
 * @example
 *   const signer = keySigner(parsePrivateKey(await readFile('cosign.key', 'utf8'), process.env.COSIGN_PASSWORD));
 *   await signImage(await registryStore('registry.example/app:1', opts), signer);
 */
export * from './attached.ts';
export {
  attestationLayer,
  type Envelope,
  IN_TOTO_PAYLOAD_TYPE,
  parseEnvelope,
  signatureLayer,
} from './envelope.ts';
export * from './errors.ts';
export * from './keys.ts';
export * from './operations.ts';
export * from './payload.ts';
export * from './signer.ts';
export type { AttachedStore, WriteAttachedResult } from './store.ts';
export { layoutStore } from './store-layout.ts';
export { dockerReferenceOf, listReferrers, registryStore, registryStoreOf } from './store-registry.ts';
