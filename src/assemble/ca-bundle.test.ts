import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dirEntry, fileEntry, haveOpenssl, makeCerts } from '../../test/fixtures/assemble/certs.ts';
import type { LayerEntry } from '../oci/tar/entry.ts';
import { CA_BUNDLE_PATH, caBundle } from './ca-bundle.ts';

const SRC = 'usr/share/ca-certificates';
const COPYRIGHT = fileEntry('usr/share/doc/ca-certificates/copyright', 'Copyright: test\n');

function skipWithoutOpenssl(t: { skip(msg: string): void }): boolean {
  if (haveOpenssl()) return false;
  if (process.env.CI === 'true') throw new Error('openssl missing (Debian package openssl)');
  t.skip('openssl missing (Debian package openssl)');
  return true;
}

describe('caBundle', () => {
  it('concatenates files in depth-first C-locale glob order, skipping dot files and directories', async (t) => {
    if (skipWithoutOpenssl(t)) return;
    const [a, b, c] = makeCerts() as [string, string, string];
    const pkg: LayerEntry[] = [
      dirEntry(SRC),
      dirEntry(`${SRC}/mozilla`),
      fileEntry(`${SRC}/mozilla/a_lower.crt`, c),
      fileEntry(`${SRC}/mozilla/B_Upper.crt`, b),
      fileEntry(`${SRC}/mozilla/.hidden.crt`, 'not read'),
      fileEntry(`${SRC}/aa.crt`, a.trimEnd()), // no final newline: one is added
      fileEntry('usr/share/doc/ca-certificates/README', 'ignored'),
      COPYRIGHT,
      fileEntry('usr/sbin/update-ca-certificates', '#!/bin/sh\n'),
    ];
    const r = await caBundle(pkg);
    assert.deepEqual(r.sources, [
      `${SRC}/aa.crt`,
      `${SRC}/mozilla/B_Upper.crt`,
      `${SRC}/mozilla/a_lower.crt`,
    ]);
    assert.equal(r.bundle.toString(), a + b + c);
    assert.equal(r.certificates, 3);
    const out = new Map(r.entries.map((e) => [e.path, e]));
    assert.deepEqual([...out.keys()].sort(), [
      'etc',
      'etc/ssl',
      'etc/ssl/certs',
      'etc/ssl/certs/ca-certificates.crt',
      'usr',
      'usr/share',
      'usr/share/doc',
      'usr/share/doc/ca-certificates',
      'usr/share/doc/ca-certificates/copyright',
    ]);
    const bundle = out.get(CA_BUNDLE_PATH) as LayerEntry;
    assert.equal(bundle.mode, 0o555);
    assert.equal(bundle.size, r.bundle.length);
    assert.equal(out.get('usr/share/doc/ca-certificates/copyright')?.mode, 0o555);
    for (const e of r.entries) assert.equal(e.uid + e.gid, 0);
    for (const e of r.entries) if (e.type === 'dir') assert.equal(e.mode, 0o755);
    // Deterministic: same input, same bytes.
    assert.deepEqual((await caBundle(pkg)).bundle, r.bundle);
    assert.equal(
      (await caBundle(pkg, { mode: 0o644 })).entries.find((e) => e.path === CA_BUNDLE_PATH)?.mode,
      0o644,
    );
  });

  it('follows a hardlink to a certificate file of the package', async (t) => {
    if (skipWithoutOpenssl(t)) return;
    const [a] = makeCerts([`/CN=linked`]) as [string];
    const pkg: LayerEntry[] = [
      fileEntry(`${SRC}/one.crt`, a),
      { path: `${SRC}/two.crt`, type: 'hardlink', linkname: `${SRC}/one.crt`, mode: 0o644, uid: 0, gid: 0 },
      COPYRIGHT,
    ];
    const r = await caBundle(pkg);
    assert.equal(r.bundle.toString(), a + a);
    assert.equal(r.certificates, 2);
  });

  it('refuses a package without certificates or without its copyright file', async () => {
    await assert.rejects(caBundle([COPYRIGHT, dirEntry(SRC)]), { code: 'CA_PACKAGE_INVALID' });
    await assert.rejects(caBundle([]), { code: 'CA_PACKAGE_INVALID' });
    await assert.rejects(caBundle([fileEntry(`${SRC}/x.crt`, '-----BEGIN CERTIFICATE-----\n')]), {
      code: 'CA_CERT_INVALID',
    });
  });

  it('refuses a certificate file that is not PEM, holds a broken certificate, or is a symlink', async () => {
    await assert.rejects(caBundle([fileEntry(`${SRC}/x.crt`, 'hello\n'), COPYRIGHT]), {
      code: 'CA_CERT_INVALID',
    });
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    await assert.rejects(caBundle([fileEntry(`${SRC}/x.crt`, broken), COPYRIGHT]), {
      code: 'CA_CERT_INVALID',
    });
    const link: LayerEntry = {
      path: `${SRC}/l.crt`,
      type: 'symlink',
      linkname: '/etc/passwd',
      mode: 0o777,
      uid: 0,
      gid: 0,
    };
    await assert.rejects(caBundle([link, COPYRIGHT]), { code: 'CA_PACKAGE_INVALID' });
  });
});
