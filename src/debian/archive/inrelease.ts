/**
 * InRelease verification: a cleartext-signed Release must carry at least one signature that
 * verifies against a trusted Debian key (as apt/gpgv require). Signatures by keys we do not
 * ship are ignored when another good one is present (Debian signs with old and new keys
 * during a transition), but a signature by a trusted key that fails is always an error.
 * Only the text covered by the signature is returned, so nothing unsigned is ever used.
 */
import type * as openpgp from 'openpgp';

// openpgp takes ~0.1 s to load (cipher tables): only commands that verify indexes pay for it.
const pgp = () => import('openpgp');

import { DebianError } from '../errors.ts';
import type { Keyring } from './keys.ts';

/** The verified Release text and who signed it. */
export interface VerifiedRelease {
  /** The signed text (the Release file), exactly as covered by the signature. */
  readonly text: string;
  /** Hex key IDs of the trusted keys whose signatures verified. */
  readonly signers: readonly string[];
}

/** Verifies an InRelease file; throws DEBIAN_INRELEASE_UNSIGNED, DEBIAN_SIGNATURE_BAD or DEBIAN_KEY_UNTRUSTED. */
export async function verifyInRelease(
  inRelease: string,
  keyring: Keyring,
  source = 'InRelease',
  date?: Date,
): Promise<VerifiedRelease> {
  if (!inRelease.trimStart().startsWith('-----BEGIN PGP SIGNED MESSAGE-----'))
    throw new DebianError(
      'DEBIAN_INRELEASE_UNSIGNED',
      `${source} is not an OpenPGP cleartext-signed message`,
    );
  let message: openpgp.CleartextMessage;
  try {
    message = await (await pgp()).readCleartextMessage({ cleartextMessage: inRelease });
  } catch (err) {
    throw new DebianError(
      'DEBIAN_INRELEASE_UNSIGNED',
      `${source}: unreadable signed message: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
  const keys = await keyring.keys();
  const result = await (await pgp()).verify({
    message,
    verificationKeys: [...keys],
    expectSigned: false,
    ...(date ? { date } : {}),
  });
  if (result.signatures.length === 0)
    throw new DebianError('DEBIAN_INRELEASE_UNSIGNED', `${source} carries no signature`);
  const signers: string[] = [];
  const unknown: string[] = [];
  for (const sig of result.signatures) {
    const id = sig.keyID.toHex();
    const trusted = keys.some((k) => k.getKeyIDs().some((kid) => kid.equals(sig.keyID)));
    try {
      await sig.verified;
      signers.push(id);
    } catch (err) {
      if (!trusted) {
        unknown.push(id);
        continue;
      }
      throw new DebianError(
        'DEBIAN_SIGNATURE_BAD',
        `${source}: the signature by key ${id} does not verify: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  }
  if (signers.length === 0)
    throw new DebianError(
      'DEBIAN_KEY_UNTRUSTED',
      `${source} is signed only by keys distill does not ship (${unknown.join(', ')}); if this is a new Debian key, update data/debian-keys from the debian-archive-keyring package`,
    );
  return { text: result.data as string, signers };
}
