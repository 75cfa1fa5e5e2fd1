import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zip } from '../../zip/zip-testing.ts';
import { type InventoryWarning, inventory, wantForInventory } from './index.ts';
import { DEBIAN_13, imageFiles } from './inventory-testing.ts';

const run = (files: Record<string, string | Buffer>) => {
  const warnings: InventoryWarning[] = [];
  const inv = inventory(imageFiles(files), { onWarning: (w) => warnings.push(w) });
  return { inv, warnings, purls: inv.packages.map((p) => p.purl) };
};

const LIBC = `Package: libc6
Source: glibc
Version: 2.41-12+deb13u5
Architecture: amd64
Maintainer: GNU Libc Maintainers <debian-glibc@lists.debian.org>
Description: GNU C Library
 Shared libraries.
`;

describe('inventory: Debian', () => {
  it('reads status.d (distroless), md5sums, DEP-5 licences and os-release into syft purls', () => {
    const { inv, warnings, purls } = run({
      '/etc/os-release': DEBIAN_13,
      '/var/lib/dpkg/status.d/libc6': LIBC,
      '/var/lib/dpkg/status.d/libc6.md5sums':
        'abc  lib/x86_64-linux-gnu/libc.so.6\ndef  usr/share/doc/libc6/copyright\n',
      '/var/lib/dpkg/status.d/zlib1g':
        'Package: zlib1g\nSource: zlib (1:1.3.dfsg-1)\nVersion: 1:1.3.dfsg+really1.3.1-1\nArchitecture: amd64\n',
      '/usr/share/doc/libc6/copyright':
        'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: x\nLicense: LGPL-2.1+\n\nFiles: a\nCopyright: y\nLicense: GPL-2+ or Expat\n text\n\nLicense: GPL-2+\n full text\n',
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(inv.distro, { id: 'debian', versionId: '13', prettyName: 'Distroless' });
    assert.deepEqual(purls, [
      'pkg:deb/debian/libc6@2.41-12%2Bdeb13u5?arch=amd64&distro=debian-13&upstream=glibc',
      'pkg:deb/debian/zlib1g@1%3A1.3.dfsg%2Breally1.3.1-1?arch=amd64&distro=debian-13&upstream=zlib%401%3A1.3.dfsg-1',
    ]);
    const libc = inv.packages[0];
    assert.deepEqual(libc?.licenses, ['GPL-2.0-or-later', 'LGPL-2.1-or-later', 'MIT']);
    assert.deepEqual(libc?.files, ['/lib/x86_64-linux-gnu/libc.so.6', '/usr/share/doc/libc6/copyright']);
    assert.deepEqual(libc?.source, { name: 'glibc', version: '2.41-12+deb13u5' });
    assert.equal(libc?.supplier, 'GNU Libc Maintainers <debian-glibc@lists.debian.org>');
    assert.deepEqual(inv.packages[1]?.source, { name: 'zlib', version: '1:1.3.dfsg-1' });
  });

  it('reads a full dpkg status, skips removed packages, and survives a truncated file', () => {
    const status = `Package: dash\nStatus: install ok installed\nVersion: 0.5.12-12\nArchitecture: amd64\n\nPackage: old\nStatus: deinstall ok config-files\nVersion: 1\n\n${LIBC}\nPackage: trunc\nVers`;
    const { purls, warnings } = run({ '/var/lib/dpkg/status': status });
    assert.deepEqual(purls, [
      'pkg:deb/debian/dash@0.5.12-12?arch=amd64',
      'pkg:deb/debian/libc6@2.41-12%2Bdeb13u5?arch=amd64&upstream=glibc',
    ]);
    assert.equal(warnings.length, 2, JSON.stringify(warnings));
    assert.ok(warnings.every((w) => w.path === '/var/lib/dpkg/status'));
  });

  it('a free-text copyright file gives no licence; binary garbage gives warnings, never a throw', () => {
    const { inv, warnings } = run({
      '/var/lib/dpkg/status.d/a': 'Package: a\nVersion: 1\n',
      '/usr/share/doc/a/copyright': 'This package was debianized by someone.\nGPL.\n',
      '/var/lib/dpkg/status.d/b': Buffer.from([0, 1, 2, 0xff, 10, 0x3a, 10]),
    });
    assert.deepEqual(
      inv.packages.map((p) => [p.name, p.licenses]),
      [['a', []]],
    );
    assert.ok(warnings.length >= 1);
  });

  it("the distro qualifier takes Debian's point release from /etc/debian_version, as syft does", () => {
    const stanza = 'Package: a\nVersion: 1\nArchitecture: all\n';
    const at = (debianVersion: string) =>
      run({
        '/etc/os-release': DEBIAN_13,
        '/etc/debian_version': debianVersion,
        '/var/lib/dpkg/status.d/a': stanza,
      }).purls;
    assert.deepEqual(at('13.8\n'), ['pkg:deb/debian/a@1?arch=all&distro=debian-13.8']);
    assert.deepEqual(at('trixie/sid\n'), ['pkg:deb/debian/a@1?arch=all&distro=debian-13']);
    assert.equal(wantForInventory('/etc/debian_version', 5), true);
  });
});

describe('inventory: language ecosystems', () => {
  it('node_modules package.json (scoped, nested), skipping fixtures and garbage', () => {
    const { purls, inv, warnings } = run({
      '/app/node_modules/@types/node/package.json':
        '{"name":"@types/node","version":"22.1.0","license":"MIT"}',
      '/app/node_modules/a/node_modules/b/package.json':
        '{"name":"b","version":"2.0.0","license":{"type":"ISC"}}',
      '/app/node_modules/a/package.json':
        '{"name":"a","version":"1.0.0","license":"(MIT OR Apache-2.0)","author":{"name":"Ann"}}',
      '/app/node_modules/a/test/fixtures/x/package.json': '{"name":"fixture","version":"0.0.0"}',
      '/app/node_modules/bad/package.json': '{"name": "bad", ',
      '/app/node_modules/noversion/package.json': '{"name":"noversion"}',
      '/app/package.json': '{"name":"app","version":"1.0.0"}',
    });
    assert.deepEqual(purls, ['pkg:npm/%40types/node@22.1.0', 'pkg:npm/a@1.0.0', 'pkg:npm/b@2.0.0']);
    assert.deepEqual(inv.packages.find((p) => p.name === 'a')?.licenses, ['MIT', 'Apache-2.0']);
    assert.equal(inv.packages.find((p) => p.name === 'a')?.supplier, 'Ann');
    assert.deepEqual(inv.packages.find((p) => p.name === 'b')?.licenses, ['ISC']);
    assert.deepEqual(warnings.map((w) => w.path).sort(), [
      '/app/node_modules/bad/package.json',
      '/app/node_modules/noversion/package.json',
    ]);
    assert.equal(wantForInventory('/app/node_modules/a/test/fixtures/x/package.json', 10), false);
  });

  it('Python dist-info METADATA and RECORD', () => {
    const site = '/usr/lib/python3/dist-packages';
    const { inv } = run({
      [`${site}/Flask-3.0.0.dist-info/METADATA`]:
        'Metadata-Version: 2.1\nName: Flask_Login.x\nVersion: 3.0.0\nLicense-Expression: BSD-3-Clause\n\nLong: description\n',
      [`${site}/Flask-3.0.0.dist-info/RECORD`]:
        'flask/__init__.py,sha256=x,10\n"flask/a,b.py",,\n../../../bin/flask,,\n',
      [`${site}/junk.dist-info/METADATA`]: 'garbage',
    });
    assert.deepEqual(
      inv.packages.map((p) => p.purl),
      ['pkg:pypi/flask-login-x@3.0.0'],
    );
    assert.deepEqual(inv.packages[0]?.licenses, ['BSD-3-Clause']);
    assert.deepEqual(inv.packages[0]?.files, [
      `${site}/flask/__init__.py`,
      `${site}/flask/a,b.py`,
      '/usr/bin/flask',
    ]);
  });

  it('Maven pom.properties in jars and nested jars; a corrupt jar is a warning', () => {
    const pom = (g: string, a: string, v: string) => `#x\ngroupId=${g}\nartifactId=${a}\nversion=${v}\n`;
    const inner = zip({
      'META-INF/maven/org.slf4j/slf4j-api/pom.properties': pom('org.slf4j', 'slf4j-api', '2.0.9'),
    });
    const app = zip({
      'META-INF/MANIFEST.MF': 'Manifest-Version: 1.0\n',
      'META-INF/maven/com.example/app/pom.properties': pom('com.example', 'app', '1.2.3'),
      'BOOT-INF/lib/slf4j-api-2.0.9.jar': inner,
    });
    const { purls, warnings, inv } = run({
      '/app/app.jar': app,
      '/app/broken.jar': Buffer.from('PK\x03\x04 not really'),
    });
    assert.deepEqual(purls, ['pkg:maven/com.example/app@1.2.3', 'pkg:maven/org.slf4j/slf4j-api@2.0.9']);
    assert.deepEqual(inv.packages[1]?.locations, ['/app/app.jar:BOOT-INF/lib/slf4j-api-2.0.9.jar']);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]?.message ?? '', /not a zip/);
  });

  it('apk database with distro qualifier', () => {
    const { purls, inv } = run({
      '/etc/os-release': 'ID=alpine\nVERSION_ID=3.20.3\n',
      '/lib/apk/db/installed':
        'C:Q1x\nP:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\no:musl\nm:Natanael\nF:lib\nR:ld-musl-x86_64.so.1\n\nP:libcrypto3\nV:3.3.2-r0\nA:x86_64\nL:Apache-2.0\no:openssl\n\nP:broken\n',
    });
    assert.deepEqual(purls, [
      'pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=alpine-3.20.3&upstream=openssl',
      'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3',
    ]);
    assert.deepEqual(inv.packages[1]?.files, ['/lib/ld-musl-x86_64.so.1']);
  });

  it('a Node.js binary not owned by a package is pkg:generic/node with its CPE', () => {
    const { inv } = run({
      '/nodejs/bin/node': 'xx node.js/v22.23.5 yy',
      '/usr/bin/node': 'node.js/v20.0.0',
      '/var/lib/dpkg/status.d/nodejs': 'Package: nodejs\nVersion: 20.0.0-1\n',
      '/var/lib/dpkg/status.d/nodejs.md5sums': 'x  usr/bin/node\n',
    });
    assert.deepEqual(
      inv.packages.map((p) => [p.purl, p.cpes]),
      [
        ['pkg:deb/debian/nodejs@20.0.0-1', undefined],
        ['pkg:generic/node@22.23.5', ['cpe:2.3:a:nodejs:node.js:22.23.5:*:*:*:*:*:*:*']],
      ],
    );
  });
});
