// Real arm64 and i386 binaries from Debian packages (fetched once into a cache, see testing/foreign-debs.ts).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { readElf } from './index.ts';
import { ARM64_PACKAGES, foreignDebsRoot, have, I386_PACKAGES } from './testing/foreign-debs.ts';
import { assertMatchesReadelf } from './testing/readelf-oracle.ts';

const CI = process.env.CI === 'true';
async function rootOr(
  t: { skip(m: string): void },
  arch: string,
  pkgs: string[],
): Promise<string | undefined> {
  if (!have('readelf')) {
    if (CI) assert.fail('readelf is missing: install binutils');
    t.skip('readelf is missing: install binutils');
    return undefined;
  }
  const r = await foreignDebsRoot(arch, pkgs);
  if ('skip' in r) {
    if (CI) assert.fail(r.skip);
    t.skip(r.skip);
    return undefined;
  }
  return r.root;
}

test('arm64: busybox-static, ldconfig, libc, ld.so, libssl, libstdc++ agree with readelf', async (t) => {
  const root = await rootOr(t, 'arm64', ARM64_PACKAGES);
  if (!root) return;
  const files = {
    busybox: 'bin/busybox',
    ldconfig: 'sbin/ldconfig',
    libc: 'lib/aarch64-linux-gnu/libc.so.6',
    ldso: 'lib/aarch64-linux-gnu/ld-linux-aarch64.so.1',
    ssl: 'usr/lib/aarch64-linux-gnu/libssl.so.3',
    stdcxx: 'usr/lib/aarch64-linux-gnu/libstdc++.so.6.0.30',
  };
  const info: Record<string, Awaited<ReturnType<typeof readElf>>> = {};
  for (const [k, rel] of Object.entries(files)) {
    const p = join(root, rel);
    info[k] = await readElf(p);
    assertMatchesReadelf(info[k], p);
    assert.equal(info[k].arch, 'arm64', rel);
    assert.equal(info[k].debianArch, 'arm64', rel);
    assert.equal(info[k].machineName, 'aarch64', rel);
  }
  assert.equal(info.busybox?.linkage, 'static');
  assert.equal(info.ldconfig?.linkage, 'static-pie');
  assert.equal(info.libc?.interpreter, '/lib/ld-linux-aarch64.so.1');
  assert.equal(info.libc?.libc, 'glibc');
  assert.equal(info.ssl?.soname, 'libssl.so.3');
  assert.deepEqual(info.ssl?.needed, ['libcrypto.so.3', 'libc.so.6', 'ld-linux-aarch64.so.1']);
});

test('i386: 32-bit libc and zlib agree with readelf', async (t) => {
  const root = await rootOr(t, 'i386', I386_PACKAGES);
  if (!root) return;
  for (const rel of [
    'lib/i386-linux-gnu/libc.so.6',
    'lib/i386-linux-gnu/libz.so.1',
    'lib/i386-linux-gnu/ld-linux.so.2',
  ]) {
    const p = join(root, rel);
    const info = await readElf(p);
    assertMatchesReadelf(info, p);
    assert.equal(info.bits, 32);
    assert.equal(info.arch, '386');
    assert.equal(info.debianArch, 'i386');
  }
  const libc = await readElf(join(root, 'lib/i386-linux-gnu/libc.so.6'));
  assert.equal(libc.interpreter, '/lib/ld-linux.so.2');
});
