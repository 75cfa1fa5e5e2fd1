/**
 * Remembered InRelease verifications. Checking a signature means loading OpenPGP and its cipher
 * tables (~0.1 s), which a warm build would pay for bytes it verified minutes ago. The cache keeps,
 * under the hash of the exact InRelease bytes and the identity of the keyring that checked them,
 * the signed text and its signers; identical bytes against the same keys are taken from there for
 * a day, after which the signature is checked again (so a key's expiry is noticed within a day).
 * Everything else — Valid-Until, the suite name, every index hash — is checked on every run.
 */
import { createHash } from 'node:crypto';
import type { Cache } from '../../platform/index.ts';
import { type VerifiedRelease, verifyInRelease } from './inrelease.ts';
import type { Keyring } from './keys.ts';

/** How long a remembered verification stands. */
export const VERIFICATION_MEMO_MS = 24 * 3600 * 1000;

interface Remembered {
  at: number;
  text: string;
  signers: string[];
}

/** verifyInRelease, answered from the cache for bytes these keys verified less than a day ago. */
export async function verifyInReleaseRemembered(
  bytes: Uint8Array,
  keyring: Keyring,
  source: string,
  opts: { cache?: Cache; now?: Date },
): Promise<VerifiedRelease> {
  const now = opts.now ?? new Date();
  const key = `inrelease-verified:1:${keyring.id}:${createHash('sha256').update(bytes).digest('hex')}`;
  const hit = await opts.cache?.getJson<Remembered>(key);
  const age = hit && typeof hit.at === 'number' ? now.getTime() - hit.at : -1;
  if (
    hit &&
    age >= 0 &&
    age < VERIFICATION_MEMO_MS &&
    typeof hit.text === 'string' &&
    Array.isArray(hit.signers)
  )
    return { text: hit.text, signers: hit.signers };
  const verified = await verifyInRelease(Buffer.from(bytes).toString('utf8'), keyring, source, opts.now);
  await opts.cache?.putJson(key, { at: now.getTime(), text: verified.text, signers: [...verified.signers] });
  return verified;
}
