// Malformed and unusual inputs: each gets its stable code; well-formed synthetic files of every
// class and byte order read back what was written (and readelf agrees when it is installed).
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { elfPlatform, readElf } from './index.ts';
import { EM_AARCH64, EM_ARM, EM_PPC64, EM_RISCV, EM_S390, EM_X86_64 } from './machine.ts';
import { buildElf } from './testing/build-elf.ts';
import { have } from './testing/foreign-debs.ts';
import { assertMatchesReadelf } from './testing/readelf-oracle.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-elf-bad-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lib = () =>
  buildElf({
    bits: 64,
    machine: EM_X86_64,
    interp: '/lib64/ld-linux-x86-64.so.2',
    needed: ['libc.so.6'],
    soname: 'libt.so.1',
    runpath: '$ORIGIN',
  });

test('synthetic files of each class and byte order read back (readelf agrees)', async () => {
  const cases = [
    { bits: 64 as const, machine: EM_S390, littleEndian: false, arch: 's390x' },
    { bits: 64 as const, machine: EM_PPC64, littleEndian: true, arch: 'ppc64le' },
    { bits: 64 as const, machine: EM_PPC64, littleEndian: false, arch: 'ppc64' },
    { bits: 64 as const, machine: EM_RISCV, littleEndian: true, arch: 'riscv64', flags: 5 },
    { bits: 32 as const, machine: EM_ARM, littleEndian: true, arch: 'arm', flags: 0x05000400, deb: 'armhf' },
    { bits: 32 as const, machine: EM_ARM, littleEndian: true, arch: 'arm', flags: 0x05000200, deb: 'armel' },
    { bits: 64 as const, machine: EM_AARCH64, littleEndian: true, arch: 'arm64' },
  ];
  for (const c of cases) {
    const b = buildElf({
      ...c,
      interp: '/lib/ld-musl-x.so.1',
      needed: ['libc.musl-x.so.1', 'libz.so.1'],
      soname: 'libq.so.2',
      rpath: '/a:/b',
    });
    const info = await readElf(b);
    assert.equal(info.arch, c.arch);
    if (c.deb) assert.equal(info.debianArch, c.deb);
    assert.equal(info.endian, c.littleEndian ? 'little' : 'big');
    assert.deepEqual(info.needed, ['libc.musl-x.so.1', 'libz.so.1']);
    assert.equal(info.soname, 'libq.so.2');
    assert.deepEqual(info.rpath, ['/a', '/b']);
    assert.equal(info.libc, 'musl');
    assert.equal(elfPlatform(info)?.architecture, c.arch);
    if (c.deb) assert.equal(elfPlatform(info)?.variant, c.deb === 'armhf' ? 'v7' : 'v5');
    if (have('readelf')) {
      const p = join(dir, `${c.arch}-${c.bits}-${c.littleEndian}`);
      await writeFile(p, b);
      assertMatchesReadelf(info, p);
    }
  }
  assert.equal(elfPlatform(await readElf(buildElf({ bits: 32, machine: 20 }))), undefined);
  const stat = await readElf(buildElf({ bits: 64, machine: EM_X86_64, type: 2, noDynamic: true }));
  assert.equal(stat.linkage, 'static');
  assert.equal(stat.type, 'exec');
});

async function codeOf(input: Buffer | string): Promise<string> {
  try {
    await readElf(input);
    return 'no error';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

test('not ELF: text, empty, a directory, a missing file', async () => {
  assert.equal(await codeOf(Buffer.from('#!/bin/sh\necho hi\n')), 'ELF_NOT_ELF');
  assert.equal(await codeOf(Buffer.alloc(0)), 'ELF_NOT_ELF');
  assert.equal(await codeOf(Buffer.from('GROUP ( /lib/libc.so.6 )')), 'ELF_NOT_ELF');
  assert.equal(await codeOf(dir), 'ELF_READ_FAILED');
  assert.equal(await codeOf(join(dir, 'missing')), 'ELF_READ_FAILED');
  await writeFile(join(dir, 'text'), 'hello');
  assert.equal(await codeOf(join(dir, 'text')), 'ELF_NOT_ELF');
});

test('truncated: in the identification, the header, the program headers, PT_INTERP, the dynamic section', async () => {
  const b = lib();
  assert.equal(await codeOf(b.subarray(0, 3)), 'ELF_TRUNCATED');
  assert.equal(await codeOf(b.subarray(0, 10)), 'ELF_TRUNCATED');
  assert.equal(await codeOf(b.subarray(0, 40)), 'ELF_TRUNCATED');
  assert.equal(await codeOf(b.subarray(0, 64 + 20)), 'ELF_TRUNCATED');
  const ph = 64 + 3 * 56;
  assert.equal(await codeOf(b.subarray(0, ph + 5)), 'ELF_TRUNCATED');
  assert.equal(await codeOf(b.subarray(0, b.length - 4)), 'ELF_TRUNCATED');
  // A real library cut inside its dynamic section.
  const real = '/usr/lib/x86_64-linux-gnu/libssl.so.3';
  const bytes = await readFile(real).catch(() => undefined);
  if (bytes) {
    const { execFileSync } = await import('node:child_process');
    const off = /Dynamic section at offset (0x[0-9a-f]+)/.exec(
      have('readelf') ? execFileSync('readelf', ['-d', real], { encoding: 'utf8' }) : '',
    )?.[1];
    if (off) {
      const cut = join(dir, 'libssl-cut');
      await writeFile(cut, bytes.subarray(0, Number(off) + 24));
      assert.equal(await codeOf(cut), 'ELF_TRUNCATED');
    }
  }
});

test('a dynamic string offset outside the string table or with no NUL is ELF_TRUNCATED', async () => {
  const b = Buffer.from(lib());
  // The first dynamic entry is DT_NEEDED: point it far away.
  const dynOff = Number(b.readBigUInt64LE(64 + 2 * 56 + 8));
  b.writeBigUInt64LE(0x7fff0000n, dynOff + 8);
  assert.equal(await codeOf(b), 'ELF_TRUNCATED');
  // Strings that run to the end of the string table (DT_STRSZ) with no terminator.
  const c = buildElf({ bits: 64, machine: EM_X86_64, needed: ['libc.so.6'] });
  const noNul = Buffer.from(c);
  noNul.fill(0x41, 64 + 2 * 56 + 1, Number(noNul.readBigUInt64LE(64 + 56 + 8)));
  assert.equal(await codeOf(noNul), 'ELF_TRUNCATED');
});

test('impossible header fields are ELF_INVALID', async () => {
  const badClass = Buffer.from(lib());
  badClass[4] = 3;
  assert.equal(await codeOf(badClass), 'ELF_INVALID');
  const badData = Buffer.from(lib());
  badData[5] = 0;
  assert.equal(await codeOf(badData), 'ELF_INVALID');
  const smallPh = Buffer.from(lib());
  smallPh.writeUInt16LE(8, 54);
  assert.equal(await codeOf(smallPh), 'ELF_INVALID');
  const hugeDyn = Buffer.from(lib());
  // PT_DYNAMIC is the third program header; its p_filesz at +32.
  hugeDyn.writeBigUInt64LE(64n << 20n, 64 + 2 * 56 + 32);
  assert.equal(await codeOf(hugeDyn), 'ELF_INVALID');
  const hugeInterp = Buffer.from(lib());
  hugeInterp.writeBigUInt64LE(1n << 20n, 64 + 56 + 32);
  assert.equal(await codeOf(hugeInterp), 'ELF_INVALID');
  const farPh = Buffer.from(lib());
  farPh.writeBigUInt64LE(1n << 62n, 32);
  assert.equal(await codeOf(farPh), 'ELF_INVALID');
});
