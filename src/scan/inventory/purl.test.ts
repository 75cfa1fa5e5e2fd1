import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { licenseIds, spdxId } from './licenses.ts';
import { nodeVersionReducer } from './node-binary.ts';
import { purl, purlEscape } from './purl.ts';

test('purl escaping and order follow syft (anchore/packageurl-go v0.2.0): QueryEscape everywhere, qualifiers sorted', () => {
  assert.equal(purlEscape('1:2.3+dfsg~b1'), '1%3A2.3%2Bdfsg~b1');
  assert.equal(purlEscape('a b/c?#%@'), 'a%20b%2Fc%3F%23%25%40');
  assert.equal(purlEscape('é'), '%C3%A9');
  assert.equal(
    purl({ type: 'npm', namespace: '@babel', name: 'core', version: '7.0.0' }),
    'pkg:npm/%40babel/core@7.0.0',
  );
  // syft's own test vectors (syft/pkg/cataloger/debian and alpine package tests).
  assert.equal(
    purl({
      type: 'deb',
      namespace: 'debian',
      name: 'p',
      version: 'v',
      qualifiers: [
        ['upstream', 's@2.3'],
        ['distro', 'debian-11'],
      ],
    }),
    'pkg:deb/debian/p@v?distro=debian-11&upstream=s%402.3',
  );
  assert.equal(
    purl({
      type: 'apk',
      namespace: 'alpine',
      name: 'g++',
      version: 'v84',
      qualifiers: [
        ['arch', 'am86'],
        ['distro', 'alpine-3.4.6'],
      ],
    }),
    'pkg:apk/alpine/g%2B%2B@v84?arch=am86&distro=alpine-3.4.6',
  );
  assert.equal(
    purl({
      type: 'deb',
      namespace: 'debian',
      name: 'libstdc++6',
      version: '14.2.0-19',
      qualifiers: [
        ['arch', 'amd64'],
        ['upstream', undefined],
        ['distro', 'debian-13'],
      ],
    }),
    'pkg:deb/debian/libstdc%2B%2B6@14.2.0-19?arch=amd64&distro=debian-13',
  );
  assert.equal(purl({ type: 'generic', name: 'node', version: '22.1.0' }), 'pkg:generic/node@22.1.0');
});

test('Debian licence short names map to SPDX ids, the rest to LicenseRef', () => {
  assert.equal(spdxId('GPL-2+'), 'GPL-2.0-or-later');
  assert.equal(spdxId('GPL-2'), 'GPL-2.0-only');
  assert.equal(spdxId('LGPL-2.1+'), 'LGPL-2.1-or-later');
  assert.equal(spdxId('Expat'), 'MIT');
  assert.equal(spdxId('BSD-3-clause'), 'BSD-3-Clause');
  assert.equal(spdxId('GPL-2+-with-link-exception'), 'LicenseRef-GPL-2-plus-with-link-exception');
  assert.equal(spdxId('public-domain'), 'LicenseRef-public-domain');
  assert.deepEqual(licenseIds('GPL-2+ or Artistic'), ['GPL-2.0-or-later', 'Artistic-1.0-Perl']);
  assert.deepEqual(licenseIds('GPL-3+ with OpenSSL exception'), ['GPL-3.0-or-later']);
  assert.deepEqual(licenseIds('MIT AND (ISC OR 0BSD)'), ['MIT', 'ISC', '0BSD']);
});

test('the node reducer finds the version across chunk boundaries and drains the stream', async () => {
  const text = `${'x'.repeat(70000)}node.js/v24.1.10${'y'.repeat(5000)}`;
  for (const cut of [70003, 70009, 70012, 70016]) {
    const chunks = [Buffer.from(text.slice(0, cut)), Buffer.from(text.slice(cut))];
    const s = Readable.from(chunks);
    assert.equal((await nodeVersionReducer(s)).toString(), 'node.js/v24.1.10', `cut at ${cut}`);
    assert.equal(s.readableEnded, true);
  }
  assert.equal((await nodeVersionReducer(Readable.from([Buffer.from('no version')]))).length, 0);
});
