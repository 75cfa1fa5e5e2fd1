import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { verifyInRelease } from './inrelease.ts';
import { loadKeyring } from './keys.ts';
import { parseRelease } from './release.ts';

// Real InRelease files from the Debian archive (November 2026), committed so the shipped keys are
// checked against Debian's own signatures without a network.
const fixture = (name: string) =>
  readFileSync(
    new URL(`../../../../test/fixtures/debian-archive-inrelease/${name}`, import.meta.url),
    'utf8',
  );

test('the shipped keys verify a real trixie-updates InRelease', async () => {
  const keyring = await loadKeyring();
  const v = await verifyInRelease(fixture('trixie-updates.InRelease'), keyring);
  // Signed by the bookworm and trixie archive keys (subkeys).
  assert.deepEqual([...v.signers].sort(), ['6ed0e7b82643e131', '78dba3bc47ef2265']);
  const r = parseRelease(v.text);
  assert.equal(r.codename, 'trixie-updates');
  assert.ok(r.sha256.has('main/binary-amd64/Packages.xz'));
  assert.ok(r.acquireByHash);
});

test('a real bookworm-security InRelease verifies although one signature is by a key not shipped', async () => {
  const v = await verifyInRelease(fixture('bookworm-security.InRelease'), await loadKeyring());
  // The bullseye security key's signature is ignored; the bookworm one verifies.
  assert.deepEqual(v.signers, ['bde6d2b9216ec7a8']);
});

test('one changed byte in a real InRelease fails with DEBIAN_SIGNATURE_BAD', async () => {
  const text = fixture('trixie-updates.InRelease').replace('Suite: ', 'Suite:  ');
  await assert.rejects(verifyInRelease(text, await loadKeyring()), { code: 'DEBIAN_SIGNATURE_BAD' });
});

test('the signed part only: a real InRelease with its signature stripped is DEBIAN_INRELEASE_UNSIGNED', async () => {
  const text = fixture('trixie-updates.InRelease');
  const body = text.slice(text.indexOf('\n\n') + 2, text.indexOf('-----BEGIN PGP SIGNATURE-----'));
  await assert.rejects(verifyInRelease(body, await loadKeyring()), { code: 'DEBIAN_INRELEASE_UNSIGNED' });
  const noSig = text.slice(0, text.indexOf('-----BEGIN PGP SIGNATURE-----'));
  await assert.rejects(verifyInRelease(noSig, await loadKeyring()), { code: 'DEBIAN_INRELEASE_UNSIGNED' });
});
