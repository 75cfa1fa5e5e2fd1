/**
 * The Debian archive keys distill trusts, shipped as data in data/debian-keys/ (exported from
 * Debian's debian-archive-keyring package: bookworm and trixie archive, security and stable
 * release keys). Reading them is an effect, so the directory and reader are parameters.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as openpgp from 'openpgp';

// openpgp takes ~0.1 s to load (cipher tables): only commands that verify indexes pay for it.
const pgp = () => import('openpgp');

import { DebianError } from './errors.ts';

/** A set of trusted OpenPGP public keys. */
export interface Keyring {
  readonly keys: readonly openpgp.PublicKey[];
}

/** The directory of shipped keys: data/debian-keys at the package root (from dist/src/debian/). */
export function defaultKeysDir(): string {
  return fileURLToPath(new URL('../../../data/debian-keys/', import.meta.url));
}

/** Reads every `*.asc` (armored) or `*.pgp`/`*.gpg` (binary) key file in `dir`. */
export async function loadKeyring(dir: string = defaultKeysDir()): Promise<Keyring> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(asc|pgp|gpg)$/.test(n)).sort();
  } catch (err) {
    throw new DebianError('DEBIAN_KEYS_MISSING', `cannot read the Debian archive keys in ${dir}`, {
      cause: err,
    });
  }
  const keys: openpgp.PublicKey[] = [];
  for (const n of names) {
    const data = await readFile(join(dir, n));
    keys.push(...(await keysFrom(n.endsWith('.asc') ? data.toString('utf8') : new Uint8Array(data))));
  }
  if (keys.length === 0) throw new DebianError('DEBIAN_KEYS_MISSING', `no Debian archive keys in ${dir}`);
  return { keys };
}

/** Parses armored text or binary key data into public keys. */
export async function keysFrom(data: string | Uint8Array): Promise<openpgp.PublicKey[]> {
  const keys =
    typeof data === 'string'
      ? await (await pgp()).readKeys({ armoredKeys: data })
      : await (await pgp()).readKeys({ binaryKeys: data });
  return keys.map((k) => k.toPublic());
}
