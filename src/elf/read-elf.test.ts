import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type ByteSource, bufferSource, isElf, readElf, streamSource, whichLibc } from './index.ts';
import { have } from './testing/foreign-debs.ts';
import { assertMatchesReadelf } from './testing/readelf-oracle.ts';

const CI = process.env.CI === 'true';
let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-elf-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Skips (or fails under CI=true) when a host tool a test needs is missing. */
function need(t: { skip(m: string): void }, cmd: string, pkg: string): boolean {
  if (have(cmd)) return true;
  if (CI) assert.fail(`${cmd} is missing: install ${pkg}`);
  t.skip(`${cmd} is missing: install ${pkg}`);
  return false;
}

const hostFiles = [
  '/usr/bin/node',
  '/bin/busybox',
  '/usr/sbin/ldconfig',
  '/usr/lib/x86_64-linux-gnu/libssl.so.3',
  '/usr/lib/x86_64-linux-gnu/libc.so.6',
];

test('host binaries: readElf agrees with readelf (node dynamic, busybox static, ldconfig static-pie, libssl, libc)', (t) => {
  if (!need(t, 'readelf', 'binutils')) return;
  return (async () => {
    for (const p of hostFiles) {
      if (!existsSync(p)) {
        if (CI) assert.fail(`${p} is missing`);
        continue;
      }
      assertMatchesReadelf(await readElf(p), p);
    }
    const node = await readElf('/usr/bin/node');
    assert.equal(node.arch, 'amd64');
    assert.equal(node.linkage, 'dynamic');
    assert.equal(node.libc, 'glibc');
    assert.equal(node.interpreter, '/lib64/ld-linux-x86-64.so.2');
    const bb = await readElf('/bin/busybox');
    assert.equal(bb.linkage, 'static');
    assert.equal(bb.isStatic, true);
    assert.equal(bb.type, 'exec');
    const ldconfig = await readElf('/usr/sbin/ldconfig');
    assert.equal(ldconfig.linkage, 'static-pie');
    assert.equal(ldconfig.pie, true);
    const ssl = await readElf('/usr/lib/x86_64-linux-gnu/libssl.so.3');
    assert.equal(ssl.soname, 'libssl.so.3');
    assert.equal(ssl.pie, false);
    assert.equal(ssl.libc, 'glibc');
  })();
});

test('every shared library in the host multiarch directory agrees with readelf', (t) => {
  if (!need(t, 'readelf', 'binutils')) return;
  return (async () => {
    const d = '/usr/lib/x86_64-linux-gnu';
    const names = readdirSync(d)
      .filter((n) => /\.so(\.|$)/.test(n) && statSync(join(d, n)).isFile())
      .sort()
      .slice(0, 150);
    let checked = 0;
    for (const n of names) {
      const p = join(d, n);
      if (!(await isElf(p))) continue;
      assertMatchesReadelf(await readElf(p), p);
      checked++;
    }
    assert.ok(checked > 20, `only ${checked} libraries checked`);
  })();
});

test('a C++ program and library built with g++: DT_NEEDED, SONAME, RUNPATH and RPATH', (t) => {
  if (!need(t, 'g++', 'g++') || !need(t, 'readelf', 'binutils')) return;
  return (async () => {
    await writeFile(join(dir, 'demo.cpp'), '#include <string>\nstd::string demo() { return "hi"; }\n');
    await writeFile(
      join(dir, 'main.cpp'),
      '#include <iostream>\n#include <string>\nstd::string demo();\nint main() { std::cout << demo() << std::endl; }\n',
    );
    const gpp = (...args: string[]) => execFileSync('g++', args, { cwd: dir, stdio: 'pipe' });
    gpp('-shared', '-fPIC', '-Wl,-soname,libdemo.so.1', '-o', 'libdemo.so.1.0', 'demo.cpp');
    gpp(
      '-o',
      'app-runpath',
      'main.cpp',
      './libdemo.so.1.0',
      '-Wl,--enable-new-dtags',
      '-Wl,-rpath,$ORIGIN/../lib:/opt/demo',
    );
    gpp('-o', 'app-rpath', 'main.cpp', './libdemo.so.1.0', '-Wl,--disable-new-dtags', '-Wl,-rpath,/opt/old');
    const lib = await readElf(join(dir, 'libdemo.so.1.0'));
    assertMatchesReadelf(lib, join(dir, 'libdemo.so.1.0'));
    assert.equal(lib.soname, 'libdemo.so.1');
    assert.ok(lib.needed.includes('libstdc++.so.6'));
    const app = await readElf(join(dir, 'app-runpath'));
    assertMatchesReadelf(app, join(dir, 'app-runpath'));
    assert.deepEqual(app.runpath, ['$ORIGIN/../lib', '/opt/demo']);
    assert.ok(app.needed.includes('libdemo.so.1'));
    assert.equal(app.pie, true);
    const old = await readElf(join(dir, 'app-rpath'));
    assertMatchesReadelf(old, join(dir, 'app-rpath'));
    assert.deepEqual(old.rpath, ['/opt/old']);
    assert.deepEqual(old.runpath, []);
  })();
});

test('a static and a static-pie C program built with gcc', (t) => {
  if (!need(t, 'gcc', 'gcc')) return;
  return (async () => {
    await writeFile(join(dir, 's.c'), 'int main(void) { return 0; }\n');
    execFileSync('gcc', ['-static', '-o', 'static', 's.c'], { cwd: dir, stdio: 'pipe' });
    execFileSync('gcc', ['-static-pie', '-o', 'static-pie', 's.c'], { cwd: dir, stdio: 'pipe' });
    const s = await readElf(join(dir, 'static'));
    assert.equal(s.linkage, 'static');
    assert.equal(s.interpreter, undefined);
    const sp = await readElf(join(dir, 'static-pie'));
    assert.equal(sp.linkage, 'static-pie');
    assert.equal(sp.isStatic, true);
    assert.deepEqual(sp.needed, []);
  })();
});

/** A source that counts the bytes asked for. */
function counting(src: ByteSource): ByteSource & { bytes: number } {
  const c = {
    bytes: 0,
    size: src.size,
    async read(o: number, l: number) {
      const b = await src.read(o, l);
      c.bytes += b.length;
      return b;
    },
  };
  return c;
}

test('a large library is read by offset, not whole (path, handle and stream inputs agree)', async () => {
  const p = '/usr/lib/x86_64-linux-gnu/libcrypto.so.3';
  if (!existsSync(p)) return;
  const fh = await open(p, 'r');
  try {
    const size = (await fh.stat()).size;
    const { handleSource } = await import('./source.ts');
    const src = counting(handleSource(fh, size));
    const viaSource = await readElf(src);
    assert.ok(src.bytes < 16 * 1024, `read ${src.bytes} bytes of ${size}`);
    const viaHandle = await readElf(fh);
    assert.deepEqual(viaHandle, viaSource);
    // The handle belongs to the caller: still open.
    assert.equal((await fh.read(Buffer.alloc(4), 0, 4, 0)).bytesRead, 4);
    const stream = streamSource(() => createReadStream(p), size);
    assert.deepEqual(await readElf(stream), viaSource);
    await stream.close?.();
    assert.deepEqual(await readElf(p), viaSource);
  } finally {
    await fh.close();
  }
});

test('isElf: cheap magic check', async () => {
  assert.equal(await isElf('/bin/busybox'), true);
  assert.equal(await isElf('/etc/passwd'), false);
  assert.equal(await isElf('/'), false);
  assert.equal(await isElf(join(dir, 'missing')), false);
  assert.equal(await isElf(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2])), true);
  assert.equal(await isElf(Buffer.from([0x7f, 0x45, 0x4c])), false);
});

test('whichLibc: glibc and musl interpreters and sonames', () => {
  assert.equal(whichLibc('/lib/ld-musl-x86_64.so.1', []), 'musl');
  assert.equal(whichLibc('/lib/ld-musl-aarch64.so.1', ['libc.musl-aarch64.so.1']), 'musl');
  assert.equal(whichLibc('/lib64/ld-linux-x86-64.so.2', []), 'glibc');
  assert.equal(whichLibc('/lib/ld-linux-aarch64.so.1', []), 'glibc');
  assert.equal(whichLibc('/lib/ld-linux-armhf.so.3', []), 'glibc');
  assert.equal(whichLibc('/lib/ld-linux.so.2', []), 'glibc');
  assert.equal(whichLibc('/lib/ld64.so.1', []), 'glibc');
  assert.equal(whichLibc('/system/bin/linker64', []), undefined);
  assert.equal(whichLibc(undefined, ['libc.so.6']), 'glibc');
  assert.equal(whichLibc(undefined, ['libc.musl-x86_64.so.1']), 'musl');
  assert.equal(whichLibc(undefined, []), undefined);
});

test('bufferSource reads what it holds', async () => {
  const info = await readElf(bufferSource(await readFile('/bin/busybox')));
  assert.equal(info.linkage, 'static');
});
