/**
 * Subresource Integrity strings as npm publishes them in `dist.integrity` (`sha512-<base64>`,
 * possibly several space-separated). The strongest algorithm present is checked, as npm's ssri
 * does; sha1-only (legacy `shasum`) is refused because it no longer protects anything.
 */
import { createHash } from 'node:crypto';
import { NpmError } from './errors.ts';

const STRENGTH = ['sha512', 'sha384', 'sha256'] as const;
export type SriAlgorithm = (typeof STRENGTH)[number];

/** The algorithm and acceptable digests (base64) to check. */
export interface SriCheck {
  algorithm: SriAlgorithm;
  digests: string[];
}

/** Picks the strongest supported algorithm of an SRI string, or throws NPM_INTEGRITY_UNSUPPORTED. */
export function parseIntegrity(integrity: string): SriCheck {
  const byAlg = new Map<string, string[]>();
  for (const part of integrity.trim().split(/\s+/)) {
    const m = /^([a-z0-9]+)-([A-Za-z0-9+/]+={0,2})(\?.*)?$/.exec(part);
    if (!m) continue;
    const list = byAlg.get(m[1] as string) ?? [];
    list.push(m[2] as string);
    byAlg.set(m[1] as string, list);
  }
  for (const algorithm of STRENGTH) {
    const digests = byAlg.get(algorithm);
    if (digests) return { algorithm, digests };
  }
  throw new NpmError(
    'NPM_INTEGRITY_UNSUPPORTED',
    `integrity ${JSON.stringify(integrity)} has no sha512, sha384 or sha256 hash`,
  );
}

/**
 * Passes chunks through while hashing them; after the last chunk throws NPM_INTEGRITY_MISMATCH
 * when the content is not what `integrity` says, so a consumer writing to a temp file never commits it.
 */
export function verifyIntegrity(
  integrity: string,
  what: string,
): (source: AsyncIterable<Uint8Array>) => AsyncGenerator<Uint8Array> {
  const check = parseIntegrity(integrity);
  return async function* (source) {
    const h = createHash(check.algorithm);
    for await (const chunk of source) {
      h.update(chunk);
      yield chunk;
    }
    const got = h.digest('base64');
    if (!check.digests.includes(got))
      throw new NpmError(
        'NPM_INTEGRITY_MISMATCH',
        `${what}: content is ${check.algorithm}-${got}, the registry says ${integrity}`,
      );
  };
}
