// The consumers of ld.so.cache, for real: glibc's dynamic loader finds a library only listed in our
// cache, `ldconfig -p` prints it, and Python's ctypes.util.find_library (which runs
// `/sbin/ldconfig -p`, the distroless python3 case) finds and loads it — all inside a chroot built
// from this host's files. Needs root (chroot), gcc and python3.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { have } from '../elf/testing/foreign-debs.ts';
import { buildLdSoCache, dirRootFs, readLdSoCache } from './ldcache.ts';

const CI = process.env.CI === 'true';
let root = '';
after(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

/** The shared libraries `ldd` says a host binary loads. */
function lddDeps(bin: string): string[] {
  const out = execFileSync('ldd', [bin], { encoding: 'utf8' });
  return [...out.matchAll(/(?:=>\s+)?(\/\S+)\s+\(0x/g)].map((m) => m[1] as string);
}

/** Copies a host library into the image's multiarch dir under its own name (following links). */
async function addLib(path: string): Promise<void> {
  const dest = join(root, 'usr/lib/x86_64-linux-gnu', basename(path));
  if (!existsSync(dest)) await copyFile(path, dest);
}

const PY = '/usr/bin/python3';

test('chroot: ld.so, ldconfig -p and ctypes.util.find_library use the cache distill wrote', async (t) => {
  const missing = [
    ['chroot', 'coreutils'],
    ['gcc', 'gcc'],
    ['ldd', 'libc-bin'],
    ['ldconfig', 'libc-bin'],
    ['python3', 'python3'],
  ].filter(([c]) => !have(c as string));
  const why =
    process.getuid?.() !== 0
      ? 'chroot needs root'
      : missing.map(([c, p]) => `${c} (install ${p})`).join(', ');
  if (why) {
    if (CI) assert.fail(why);
    return t.skip(why);
  }
  root = await mkdtemp(join(tmpdir(), 'distill-chroot-'));
  for (const d of ['usr/lib/x86_64-linux-gnu', 'usr/bin', 'usr/sbin', 'usr/lib64', 'opt/demo/lib', 'etc'])
    await mkdir(join(root, d), { recursive: true });
  for (const [l, t2] of [
    ['lib', 'usr/lib'],
    ['lib64', 'usr/lib64'],
    ['bin', 'usr/bin'],
    ['sbin', 'usr/sbin'],
  ])
    await symlink(t2 as string, join(root, l as string));
  await symlink('/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', join(root, 'usr/lib64/ld-linux-x86-64.so.2'));

  // A library in a directory only the cache knows about, and a program that needs it.
  const src = await mkdtemp(join(tmpdir(), 'distill-chroot-src-'));
  try {
    await writeFile(join(src, 'demo.c'), 'int demo_answer(void) { return 42; }\n');
    await writeFile(
      join(src, 'app.c'),
      '#include <stdio.h>\nint demo_answer(void);\nint main(void) { printf("%d\\n", demo_answer()); return 0; }\n',
    );
    execFileSync('gcc', ['-shared', '-fPIC', '-Wl,-soname,libdemo.so.1', '-o', 'libdemo.so.1.0', 'demo.c'], {
      cwd: src,
    });
    execFileSync('gcc', ['-o', 'app', 'app.c', './libdemo.so.1.0'], { cwd: src });
    await copyFile(join(src, 'libdemo.so.1.0'), join(root, 'opt/demo/lib/libdemo.so.1.0'));
    await symlink('libdemo.so.1.0', join(root, 'opt/demo/lib/libdemo.so.1'));
    await copyFile(join(src, 'app'), join(root, 'usr/bin/app'));
  } finally {
    await rm(src, { recursive: true, force: true });
  }
  for (const p of lddDeps(join(root, 'usr/bin/app'))) if (!p.includes('libdemo')) await addLib(p);

  // glibc's own ldconfig (static) to print the cache, as distroless python3 ships it.
  await copyFile(
    execFileSync('sh', ['-c', 'command -v ldconfig'], { encoding: 'utf8' }).trim(),
    join(root, 'usr/sbin/ldconfig'),
  );

  // Python with the standard library (minus what the test does not need) and _ctypes' libraries.
  const ver = execFileSync(PY, ['-c', 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")'], {
    encoding: 'utf8',
  }).trim();
  const pyReal = execFileSync('readlink', ['-f', PY], { encoding: 'utf8' }).trim();
  await copyFile(pyReal, join(root, 'usr/bin/python3'));
  for (const p of lddDeps(pyReal)) await addLib(p);
  const stdlib = `/usr/lib/python${ver}`;
  const skip = new Set([
    'test',
    'dist-packages',
    'site-packages',
    'idlelib',
    'tkinter',
    'lib2to3',
    'ensurepip',
    '__pycache__',
  ]);
  await cp(stdlib, join(root, stdlib.slice(1)), {
    recursive: true,
    filter: (s) => !skip.has(basename(s)),
  });
  const dynload = join(stdlib, 'lib-dynload');
  for (const f of readdirSync(dynload).filter((n) => n.startsWith('_ctypes.')))
    for (const p of lddDeps(join(dynload, f))) await addLib(p);
  await writeFile(join(root, 'etc/ld.so.conf'), '/opt/demo/lib\n');
  // subprocess opens /dev/null; a container runtime would provide /dev.
  await mkdir(join(root, 'dev'));
  execFileSync('mknod', ['-m', '666', join(root, 'dev/null'), 'c', '1', '3']);

  const run = (...args: string[]) =>
    spawnSync('chroot', [root, ...args], { encoding: 'utf8', env: { PATH: '/usr/bin:/usr/sbin' } });
  // Without a cache the loader cannot find libdemo.so.1.
  const before = run('/usr/bin/app');
  assert.notEqual(before.status, 0, 'app ran without a cache: the test proves nothing');
  assert.match(before.stderr, /libdemo\.so\.1/);

  const host = readLdSoCache(execFileSync('cat', ['/etc/ld.so.cache'], { encoding: 'buffer' }));
  const ours = await buildLdSoCache(dirRootFs(root), {
    arch: 'amd64',
    generator: host.generator ?? 'distill',
  });
  assert.ok(ours.entries.some((e) => e.path === '/opt/demo/lib/libdemo.so.1'));
  await writeFile(join(root, 'etc/ld.so.cache'), ours.bytes);

  const app = run('/usr/bin/app');
  assert.equal(app.status, 0, app.stderr);
  assert.equal(app.stdout, '42\n');
  const printed = run('/sbin/ldconfig', '-p');
  assert.equal(printed.status, 0, printed.stderr);
  assert.match(printed.stdout, /\tlibdemo\.so\.1 \(libc6,x86-64\) => \/opt\/demo\/lib\/libdemo\.so\.1\n/);
  const py = run(
    '/usr/bin/python3',
    '-I',
    '-S',
    '-c',
    'import ctypes, ctypes.util; n = ctypes.util.find_library("demo"); print(n, ctypes.CDLL(n).demo_answer())',
  );
  assert.equal(py.status, 0, py.stderr);
  assert.equal(py.stdout, 'libdemo.so.1 42\n');
});
