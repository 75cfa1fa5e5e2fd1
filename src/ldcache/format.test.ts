import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { layoutStrings } from './format.ts';
import {
  buildLdSoCache,
  debianLdconfigGenerator,
  encodeLdSoCache,
  entriesRootFs,
  FLAG_AARCH64_LIB64,
  FLAG_ELF_LIBC6,
  FLAG_X8664_LIB64,
  formatLikeLdconfigP,
  type LdCacheEntry,
  ldconfigOrder,
  libcmp,
  readLdSoCache,
  targetAbi,
} from './ldcache.ts';

const b = (s: string) => Buffer.from(s, 'latin1');
const X64 = FLAG_ELF_LIBC6 | FLAG_X8664_LIB64;
const gen = debianLdconfigGenerator('2.41-12');

test('libcmp compares digit runs as numbers, digits after letters, bytes as the target char type', () => {
  assert.ok(libcmp(b('libfoo.so.2'), b('libfoo.so.10')) < 0);
  assert.ok(libcmp(b('libz.so.1'), b('libz.so')) > 0);
  assert.equal(libcmp(b('libx.so.01'), b('libx.so.1')), 0);
  assert.equal(libcmp(b('a1'), b('ab')), 1);
  assert.equal(libcmp(b('ab'), b('a1')), -1);
  assert.equal(libcmp(b('same'), b('same')), 0);
  // 0xe9 is negative as a signed char (x86) and positive as an unsigned one (arm64).
  assert.ok(libcmp(b('lib\xe9'), b('liba'), true) < 0);
  assert.ok(libcmp(b('lib\xe9'), b('liba'), false) > 0);
});

test('ldconfigOrder: descending names, higher flags first, ties in the order given', () => {
  const e = (name: string, path: string, flags = X64): LdCacheEntry => ({ name, path, flags });
  const order = ldconfigOrder([
    e('libz.so.1', '/lib/x/libz.so.1'),
    e('libz.so.1', '/usr/lib/libz.so.1'),
    e('libz.so.1', '/usr/lib32/libz.so.1', FLAG_ELF_LIBC6),
    e('liba.so.2', '/lib/x/liba.so.2'),
    e('liba.so.10', '/lib/x/liba.so.10'),
    e('libz.so', '/lib/x/libz.so'),
  ]);
  assert.deepEqual(
    order.map((x) => x.path),
    [
      '/lib/x/libz.so.1',
      '/usr/lib/libz.so.1',
      '/usr/lib32/libz.so.1',
      '/lib/x/libz.so',
      '/lib/x/liba.so.10',
      '/lib/x/liba.so.2',
    ],
  );
});

test('layoutStrings shares suffixes like glibc stringtable_finalize', () => {
  const { table, offsets } = layoutStrings([
    '/lib/libz.so.1',
    'libz.so.1',
    'libm.so.6',
    '/lib/libm.so.6',
    'libz.so.1',
  ]);
  assert.equal(table.length, '/lib/libz.so.1\0/lib/libm.so.6\0'.length);
  assert.equal(offsets.get('libz.so.1'), (offsets.get('/lib/libz.so.1') as number) + 5);
  assert.equal(offsets.get('libm.so.6'), (offsets.get('/lib/libm.so.6') as number) + 5);
  for (const [s, o] of offsets) assert.equal(table.subarray(o, o + s.length + 1).toString(), `${s}\0`);
  assert.equal(layoutStrings([]).table.length, 0);
});

test('encode then read: header, entries, generator; little and big endian; empty cache', () => {
  const entries: LdCacheEntry[] = [
    { name: 'libssl.so.3', path: '/usr/lib/x86_64-linux-gnu/libssl.so.3', flags: X64 },
    { name: 'libz.so.1', path: '/lib/x86_64-linux-gnu/libz.so.1', flags: X64 },
  ];
  for (const bigEndian of [false, true]) {
    const bytes = encodeLdSoCache(entries, { generator: gen, bigEndian });
    assert.equal(bytes.subarray(0, 20).toString('latin1'), 'glibc-ld.so.cache1.1');
    assert.equal(bytes[28], bigEndian ? 3 : 2);
    const c = readLdSoCache(bytes);
    assert.equal(c.endian, bigEndian ? 'big' : 'little');
    assert.equal(c.generator, gen);
    assert.deepEqual(
      c.entries.map((e) => [e.name, e.path, e.flags, e.hwcap]),
      [
        ['libz.so.1', '/lib/x86_64-linux-gnu/libz.so.1', X64, 0n],
        ['libssl.so.3', '/usr/lib/x86_64-linux-gnu/libssl.so.3', X64, 0n],
      ],
    );
    const ext = bigEndian ? bytes.readUInt32BE(32) : bytes.readUInt32LE(32);
    assert.equal(ext % 4, 0);
    assert.equal(bytes.length, ext + 24 + gen.length);
  }
  const empty = encodeLdSoCache([], { generator: gen });
  assert.equal(empty.length, 48 + 24 + gen.length);
  assert.deepEqual(readLdSoCache(empty).entries, []);
  assert.equal(
    formatLikeLdconfigP(readLdSoCache(encodeLdSoCache(entries, { generator: gen })), 'f'),
    "2 libs found in cache `f'\n\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1\n\tlibssl.so.3 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libssl.so.3\n",
  );
});

test('the host cache re-encodes byte for byte from its own entries, given in any order', (t) => {
  if (!existsSync('/etc/ld.so.cache')) return t.skip('no /etc/ld.so.cache on this host');
  const host = readFileSync('/etc/ld.so.cache');
  const c = readLdSoCache(host);
  if (c.generator === undefined) return t.skip('host cache predates glibc 2.33');
  // Reversing changes the order of same-name entries, which is meaningful; keep those groups in order.
  const groups = new Map<string, LdCacheEntry[]>();
  for (const e of c.entries)
    groups.set(`${e.name}\0${e.flags}`, [...(groups.get(`${e.name}\0${e.flags}`) ?? []), e]);
  const shuffled = [...groups.values()].reverse().flat();
  assert.ok(encodeLdSoCache(shuffled, { generator: c.generator }).equals(host));
});

test('an old-format table in front of the new one is skipped by the reader', () => {
  const fresh = encodeLdSoCache([{ name: 'libc.so.6', path: '/lib/libc.so.6', flags: X64 }], {
    generator: gen,
  });
  const old = Buffer.alloc(32);
  old.write('ld.so-1.7.0', 0, 'latin1');
  old.writeUInt32LE(1, 12);
  const c = readLdSoCache(Buffer.concat([old, fresh]));
  assert.equal(c.base, 32);
  assert.equal(c.entries[0]?.path, '/lib/libc.so.6');
});

function codeOf(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

test('reader: bad magic, truncation, offsets outside the file, an invalid endianness mark', () => {
  const good = encodeLdSoCache([{ name: 'libz.so.1', path: '/lib/libz.so.1', flags: X64 }], {
    generator: gen,
  });
  assert.equal(
    codeOf(() => readLdSoCache(Buffer.from('not a cache at all, really not'))),
    'LDCACHE_INVALID',
  );
  assert.equal(
    codeOf(() => readLdSoCache(good.subarray(0, 10))),
    'LDCACHE_TRUNCATED',
  );
  assert.equal(
    codeOf(() => readLdSoCache(good.subarray(0, 40))),
    'LDCACHE_TRUNCATED',
  );
  assert.equal(
    codeOf(() => readLdSoCache(good.subarray(0, 60))),
    'LDCACHE_TRUNCATED',
  );
  const many = Buffer.from(good);
  many.writeUInt32LE(1000, 20);
  assert.equal(
    codeOf(() => readLdSoCache(many)),
    'LDCACHE_TRUNCATED',
  );
  const farKey = Buffer.from(good);
  farKey.writeUInt32LE(1 << 30, 48 + 4);
  assert.equal(
    codeOf(() => readLdSoCache(farKey)),
    'LDCACHE_TRUNCATED',
  );
  const invalid = Buffer.from(good);
  invalid[28] = 1;
  assert.equal(
    codeOf(() => readLdSoCache(invalid)),
    'LDCACHE_INVALID',
  );
  const badExt = Buffer.from(good);
  badExt.writeUInt32LE(good.readUInt32LE(32) + 2, 32);
  assert.equal(
    codeOf(() => readLdSoCache(badExt)),
    'LDCACHE_INVALID',
  );
});

test('writer: unusable entries are LDCACHE_ENTRY_INVALID; unknown architectures LDCACHE_ARCH_UNSUPPORTED', async () => {
  const enc = (e: LdCacheEntry) => () => encodeLdSoCache([e], { generator: gen });
  assert.equal(codeOf(enc({ name: '', path: '/lib/x', flags: X64 })), 'LDCACHE_ENTRY_INVALID');
  assert.equal(codeOf(enc({ name: 'a/b.so', path: '/lib/x', flags: X64 })), 'LDCACHE_ENTRY_INVALID');
  assert.equal(
    codeOf(enc({ name: 'libz.so.1', path: 'lib/libz.so.1', flags: X64 })),
    'LDCACHE_ENTRY_INVALID',
  );
  assert.equal(
    codeOf(enc({ name: 'libz.so.1', path: '/lib/libz\0.so.1', flags: X64 })),
    'LDCACHE_ENTRY_INVALID',
  );
  assert.equal(
    codeOf(() => targetAbi('sparc64')),
    'LDCACHE_ARCH_UNSUPPORTED',
  );
  let read = false;
  const fs = entriesRootFs([]);
  const spy = {
    ...fs,
    lstat: (p: string) => {
      read = true;
      return fs.lstat(p);
    },
  };
  await assert.rejects(buildLdSoCache(spy, { arch: 'mips', generator: gen }), {
    code: 'LDCACHE_ARCH_UNSUPPORTED',
  });
  assert.equal(read, false);
  assert.equal(targetAbi('arm64').flags({ bits: 64 } as never, 1), FLAG_ELF_LIBC6 | FLAG_AARCH64_LIB64);
});

test('debianLdconfigGenerator matches what Debian ldconfig writes', () => {
  assert.equal(gen, 'ldconfig (Debian GLIBC 2.41-12) stable release version 2.41');
  assert.equal(
    debianLdconfigGenerator('2.36-9+deb12u14'),
    'ldconfig (Debian GLIBC 2.36-9+deb12u14) stable release version 2.36',
  );
});
