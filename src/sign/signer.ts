/**
 * Who signs: a `Signer` turns bytes into a signature (and, for keyless signing, the certificate
 * chain that binds its ephemeral key to an identity). Keys from files are the one signer this
 * machine can reach; a Fulcio/Rekor signer would implement the same interface — get a
 * certificate for an ephemeral key, sign, return `certificate`/`chain`, and a transparency-log
 * entry in `bundle` — and the stores below write those into the annotations cosign reads
 * (`dev.sigstore.cosign/certificate`, `…/chain`, `…/bundle`).
 */
import { createPublicKey, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';

export interface Signature {
  /** ASN.1 DER ECDSA signature. */
  signature: Buffer;
  /** PEM leaf certificate (keyless signing). */
  certificate?: string;
  /** PEM chain above the leaf (keyless signing). */
  chain?: string;
  /** The transparency-log bundle as cosign stores it (JSON), when the signer logged the signature. */
  bundle?: string;
}

export interface Signer {
  /** Signs `data` (hashed with SHA-256 inside, as cosign's ECDSA signer does). */
  sign(data: Buffer): Promise<Signature>;
  /** The public key that verifies what this signer makes (for a self-check and reports). */
  readonly publicKey: KeyObject;
}

export interface Verifier {
  verify(data: Buffer, signature: Buffer): boolean;
}

/** A signer over an ECDSA private key (cosign.key). */
export function keySigner(privateKey: KeyObject): Signer {
  return {
    publicKey: createPublicKey(privateKey),
    async sign(data) {
      return { signature: cryptoSign('sha256', data, privateKey) };
    },
  };
}

/** A verifier over a public key (cosign.pub). */
export function keyVerifier(publicKey: KeyObject): Verifier {
  return {
    verify: (data, signature) => {
      try {
        return cryptoVerify('sha256', data, publicKey, signature);
      } catch {
        return false; // a signature that is not DER at all
      }
    },
  };
}
