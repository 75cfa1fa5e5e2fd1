/**
 * The Debian archive keys distill trusts, shipped as data in data/debian-keys/ (exported from
 * Debian's debian-archive-keyring package: bookworm and trixie archive, security and stable
 * release keys). Reading them is an effect, so the directory and reader are parameters.
 */

import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as openpgp from 'openpgp';
import { packagePath } from '../../package-root.ts';

// openpgp takes ~0.1 s to load (cipher tables): only commands that verify indexes pay for it.
const pgp = () => import('openpgp');

import { DebianError } from '../errors.ts';

/** A set of trusted OpenPGP public keys, parsed only when a signature has to be checked. */
export interface Keyring {
  /** Names exactly this set of keys (a hash of their bytes): what a remembered verification was checked against. */
  readonly id: string;
  keys(): Promise<readonly openpgp.PublicKey[]>;
}

/** A keyring over keys already parsed (tests, and the empty keyring of a build from a lock). */
export function keyringOfKeys(keys: readonly openpgp.PublicKey[]): Keyring {
  const h = createHash('sha256').update('distill-keyring-keys:1');
  for (const k of keys) h.update(`${k.getFingerprint()}\n`);
  return { id: `sha256:${h.digest('hex')}`, keys: async () => keys };
}

/** The directory of shipped keys: data/debian-keys at the package root. */
export function defaultKeysDir(): string {
  return `${packagePath('data', 'debian-keys')}/`;
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
  if (names.length === 0) throw new DebianError('DEBIAN_KEYS_MISSING', `no Debian archive keys in ${dir}`);
  const files = await Promise.all(names.map(async (n) => ({ n, data: await readFile(join(dir, n)) })));
  const h = createHash('sha256').update('distill-keyring-files:1');
  for (const f of files) h.update(`${f.n}\0${f.data.length}\0`).update(f.data);
  let parsed: Promise<openpgp.PublicKey[]> | undefined;
  const parse = async () => {
    const keys: openpgp.PublicKey[] = [];
    for (const f of files)
      keys.push(...(await keysFrom(f.n.endsWith('.asc') ? f.data.toString('utf8') : new Uint8Array(f.data))));
    if (keys.length === 0) throw new DebianError('DEBIAN_KEYS_MISSING', `no Debian archive keys in ${dir}`);
    return keys;
  };
  return {
    id: `sha256:${h.digest('hex')}`,
    keys: () => {
      parsed ??= parse();
      return parsed;
    },
  };
}

/** Parses armored text or binary key data into public keys. */
export async function keysFrom(data: string | Uint8Array): Promise<openpgp.PublicKey[]> {
  const keys =
    typeof data === 'string'
      ? await (await pgp()).readKeys({ armoredKeys: data })
      : await (await pgp()).readKeys({ binaryKeys: data });
  return keys.map((k) => k.toPublic());
}
