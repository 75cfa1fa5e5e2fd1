import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paragraphs, parseDeb822 } from './deb822.ts';
import { fieldOf, parsePackagesIndex } from './packages-index.ts';
import { checkRelease, parseRelease } from './release.ts';

const INDEX = `Package: libfoo1
Version: 1:2.0-1
Architecture: amd64
Multi-Arch: same
Provides: libfoo-abi (= 2)
Depends: libc6 (>= 2.36),
 libbar (>= 1)
Description: foo
 line two
 .
 line four
Filename: pool/main/f/foo/libfoo1_2.0-1_amd64.deb
SHA256: ${'a'.repeat(64)}

Package: foo-data
Version: 2.0-1
Architecture: all
Description: data only
Size: 3
`;

test('parses paragraphs, keeps them verbatim, reads continuation lines', () => {
  const [a, b] = parsePackagesIndex(INDEX, { mirror: 'm', suite: 's', component: 'main' });
  assert.equal(a?.name, 'libfoo1');
  assert.equal(a?.version, '1:2.0-1');
  assert.equal(a?.multiArch, 'same');
  assert.equal(a?.provides, 'libfoo-abi (= 2)');
  assert.equal(a?.field('Depends'), 'libc6 (>= 2.36),\nlibbar (>= 1)');
  assert.equal(a?.fields().get('Description'), 'foo\nline two\n.\nline four');
  assert.equal(a?.raw, INDEX.split('\n\n')[0]);
  assert.equal(b?.raw, INDEX.split('\n\n')[1]?.replace(/\n$/, ''));
  assert.equal(b?.multiArch, 'no');
  assert.equal(b?.field('Size'), '3');
  assert.equal(b?.field('Nope'), undefined);
});

test('fieldOf does not confuse a field with a longer one or with text in a value', () => {
  const raw = 'Package: x\nDescription: Package: y\nPre-Depends: a\nDepends: b';
  assert.equal(fieldOf(raw, 'Package'), 'x');
  assert.equal(fieldOf(raw, 'Depends'), 'b');
  assert.equal(fieldOf(raw, 'Pre-Depends'), 'a');
});

test('CRLF, several blank lines and whitespace-only separators', () => {
  assert.deepEqual([...paragraphs('A: 1\r\n\r\n\r\nB: 2\n \nC: 3\n')], ['A: 1', 'B: 2', 'C: 3']);
});

test('malformed paragraphs fail with DEBIAN_INDEX_INVALID', () => {
  assert.throws(() => parseDeb822(' leading continuation\n'), { code: 'DEBIAN_INDEX_INVALID' });
  assert.throws(() => parseDeb822('no colon here\n'), { code: 'DEBIAN_INDEX_INVALID' });
  assert.throws(
    () => parsePackagesIndex('Package: x\nVersion: 1\n', { mirror: 'm', suite: 's', component: 'c' }),
    {
      code: 'DEBIAN_INDEX_INVALID',
    },
  );
});

const RELEASE = `Origin: Debian
Suite: stable
Codename: trixie
Date: Sat, 21 Nov 2026 09:15:44 UTC
Valid-Until: Sat, 28 Nov 2026 09:15:44 UTC
Acquire-By-Hash: yes
Architectures: all amd64 arm64
Components: main contrib
MD5Sum:
 ${'0'.repeat(32)} 5 main/binary-amd64/Packages
SHA256:
 ${'b'.repeat(64)}   56634892 main/binary-amd64/Packages
 ${'C'.repeat(64)}    9679304 main/binary-amd64/Packages.xz
`;

test('parses a Release: identity, dates, by-hash, the SHA256 list', () => {
  const r = parseRelease(RELEASE);
  assert.equal(r.suite, 'stable');
  assert.equal(r.codename, 'trixie');
  assert.equal(r.acquireByHash, true);
  assert.deepEqual(r.architectures, ['all', 'amd64', 'arm64']);
  assert.deepEqual(r.sha256.get('main/binary-amd64/Packages'), { sha256: 'b'.repeat(64), size: 56634892 });
  assert.deepEqual(r.sha256.get('main/binary-amd64/Packages.xz'), { sha256: 'c'.repeat(64), size: 9679304 });
  assert.equal(r.date?.toISOString(), '2026-11-21T09:15:44.000Z');
  checkRelease(r, 'trixie', new Date('2026-11-22T00:00:00Z'));
  checkRelease(r, 'stable', new Date('2026-11-22T00:00:00Z'));
  assert.throws(() => checkRelease(r, 'bookworm', new Date('2026-11-22T00:00:00Z')), {
    code: 'DEBIAN_RELEASE_MISMATCH',
  });
  assert.throws(() => checkRelease(r, 'trixie', new Date('2026-12-01T00:00:00Z')), {
    code: 'DEBIAN_RELEASE_EXPIRED',
  });
});

test('a Release without a SHA256 list, or with a bad line, is DEBIAN_RELEASE_INVALID', () => {
  assert.throws(() => parseRelease('Suite: x\n'), { code: 'DEBIAN_RELEASE_INVALID' });
  assert.throws(() => parseRelease('Suite: x\nSHA256:\n nothex 12 a\n'), { code: 'DEBIAN_RELEASE_INVALID' });
  assert.throws(() => parseRelease('Suite: x\n\nSuite: y\n'), { code: 'DEBIAN_RELEASE_INVALID' });
  assert.throws(() => parseRelease(`Date: not a date\nSHA256:\n ${'b'.repeat(64)} 1 x\n`), {
    code: 'DEBIAN_RELEASE_INVALID',
  });
});

test('from bytes: paragraphs stay exact UTF-8 (non-ASCII maintainers and descriptions)', () => {
  const text =
    'Package: café\nVersion: 1\nArchitecture: all\nMaintainer: Jérôme Ünïcode <j@invalid>\nDescription: naïve — ☃\n déjà vu\n';
  const [e] = parsePackagesIndex(new TextEncoder().encode(text), {
    mirror: 'm',
    suite: 's',
    component: 'main',
  });
  assert.equal(e?.raw, text.replace(/\n$/, ''));
  assert.equal(e?.field('Maintainer'), 'Jérôme Ünïcode <j@invalid>');
  assert.equal(e?.fields().get('Description'), 'naïve — ☃\ndéjà vu');
});
