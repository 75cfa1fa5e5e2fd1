/**
 * The native checks against fixture image roots made of small synthetic ELF files: arch,
 * interpreter, musl on glibc, Python ABI tags, DT_NEEDED through RUNPATH/$ORIGIN, LD_LIBRARY_PATH
 * and the system directories, and missing libraries looked up in a fixture Contents table.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tableLookup } from '../../../debian/contents/lookup.ts';
import type { LibraryTable } from '../../../debian/contents/parse.ts';
import { EM_AARCH64, EM_X86_64 } from '../../../elf/machine.ts';
import { buildElf } from '../../../elf/testing/build-elf.ts';
import type { AppPlan, ElfFile, ImageFile, NativeCheckInput } from '../../types.ts';
import { chooseProvider, createNativeCheck, pythonTag } from './native.ts';

const LD = '/lib64/ld-linux-x86-64.so.2';
const lib = (soname: string, needed: string[] = [], machine = EM_X86_64) =>
  buildElf({ bits: 64, machine, soname, needed });
const exe = (needed: string[], extra: { interp?: string; runpath?: string; machine?: number } = {}) =>
  buildElf({
    bits: 64,
    machine: extra.machine ?? EM_X86_64,
    interp: extra.interp ?? LD,
    needed,
    ...(extra.runpath ? { runpath: extra.runpath } : {}),
  });

/** A merged-/usr glibc image: /lib → usr/lib, /lib64 → usr/lib64, the loader and libc. */
function glibcImage(extra: Record<string, Buffer | string> = {}) {
  const content = new Map<string, Buffer>();
  const files = new Map<string, ImageFile>();
  const put = (p: string, v: Buffer | string) => {
    if (typeof v === 'string')
      files.set(p, { type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, linkname: v });
    else {
      files.set(p, { type: 'file', mode: 0o755, uid: 0, gid: 0, size: v.length });
      content.set(p, v);
    }
  };
  put('lib', 'usr/lib');
  put('lib64', 'usr/lib64');
  put('usr/lib64/ld-linux-x86-64.so.2', '../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2');
  put('usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', lib('ld-linux-x86-64.so.2'));
  put('usr/lib/x86_64-linux-gnu/libc.so.6', lib('libc.so.6'));
  for (const [p, v] of Object.entries(extra)) put(p, v);
  return { files, readFile: async (p: string) => content.get(p.replace(/^\/+/, '')) };
}

const elfFile = (path: string, bytes: Buffer): ElfFile => ({
  path,
  source: path.slice(1),
  read: async () => bytes,
});

function plan(elfFiles: ElfFile[], more: Partial<AppPlan> = {}): AppPlan {
  return {
    kind: 'native',
    reasons: [],
    base: 'base',
    entrypoint: ['/app/x'],
    env: {},
    workdir: '/app',
    ports: [],
    user: '65532',
    extraPackages: [],
    layers: [],
    elfFiles,
    ...more,
  };
}

const TABLE: LibraryTable = new Map([
  ['libsqlite3.so.0', [{ dir: 'usr/lib/x86_64-linux-gnu', packages: ['libsqlite3-0'] }]],
  ['libodd.so.1', [{ dir: 'usr/lib/x86_64-linux-gnu/private', packages: ['libodd-private'] }]],
]);
let lookups = 0;
const check = createNativeCheck(() => {
  lookups++;
  return tableLookup(() => TABLE);
});

function input(p: AppPlan, image: ReturnType<typeof glibcImage>, arch = 'amd64'): NativeCheckInput {
  return {
    plan: p,
    arch,
    debian: 13,
    files: image.files,
    readFile: image.readFile,
    env: {},
    cache: undefined as never,
  };
}

test('a dynamic binary whose libraries are all in the image passes without a Contents lookup', async () => {
  lookups = 0;
  const r = await check(input(plan([elfFile('/app/x', exe(['libc.so.6']))]), glibcImage()));
  assert.deepEqual(r.addPackages, []);
  assert.equal(lookups, 0);
  assert.match(r.messages.join('\n'), /checked 1 ELF file/);
});

test('a missing library a Debian package ships is returned for the build to add, with the reason', async () => {
  const r = await check(
    input(plan([elfFile('/app/x', exe(['libc.so.6', 'libsqlite3.so.0']))]), glibcImage()),
  );
  assert.deepEqual(r.addPackages, [
    { name: 'libsqlite3-0', reason: 'libsqlite3-0 provides libsqlite3.so.0 for /app/x' },
  ]);
});

test('once the package is in the image the library resolves and nothing more is added', async () => {
  const image = glibcImage({
    'usr/lib/x86_64-linux-gnu/libsqlite3.so.0': 'libsqlite3.so.0.8.6',
    'usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6': lib('libsqlite3.so.0', ['libc.so.6']),
    'var/lib/dpkg/status.d/libsqlite3-0': Buffer.from('Package: libsqlite3-0\n'),
  });
  const r = await check(input(plan([elfFile('/app/x', exe(['libc.so.6', 'libsqlite3.so.0']))]), image));
  assert.deepEqual(r.addPackages, []);
});

test('a package in the image that still leaves the library missing stops the build', async () => {
  const image = glibcImage({ 'var/lib/dpkg/status.d/libsqlite3-0': Buffer.from('Package: libsqlite3-0\n') });
  await assert.rejects(check(input(plan([elfFile('/app/x', exe(['libsqlite3.so.0']))]), image)), {
    code: 'APP_LIBRARY_UNAVAILABLE',
    message: /still not found although libsqlite3-0/,
  });
});

test('libraries the app brings resolve through RUNPATH $ORIGIN, and their own needs are checked', async () => {
  const mine = lib('libmine.so.1', ['libc.so.6', 'libnowhere.so.7']);
  const image = glibcImage({ 'app/lib/libmine.so.1': mine });
  const p = plan([elfFile('/app/x', exe(['libmine.so.1', 'libc.so.6'], { runpath: '$ORIGIN/lib' }))]);
  await assert.rejects(check(input(p, image)), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'APP_LIBRARY_UNAVAILABLE');
    assert.match(err.message, /libnowhere\.so\.7 \(needed by \/app\/lib\/libmine\.so\.1\)/);
    assert.match(err.message, /no Debian 13 package provides it for amd64/);
    return true;
  });
  // Without the RUNPATH the app's own library is not found, and nobody ships it.
  const p2 = plan([elfFile('/app/x', exe(['libmine.so.1']))]);
  await assert.rejects(check(input(p2, image)), {
    code: 'APP_LIBRARY_UNAVAILABLE',
    message: /libmine\.so\.1/,
  });
  // LD_LIBRARY_PATH in the plan's env is searched too.
  const ok = glibcImage({ 'app/lib/libmine.so.1': lib('libmine.so.1', ['libc.so.6']) });
  const r = await check(
    input(plan([elfFile('/app/x', exe(['libmine.so.1']))], { env: { LD_LIBRARY_PATH: '/app/lib' } }), ok),
  );
  assert.deepEqual(r.addPackages, []);
});

test('a library shipped only outside the search path is named with its package', async () => {
  await assert.rejects(check(input(plan([elfFile('/app/x', exe(['libodd.so.1']))]), glibcImage())), {
    code: 'APP_LIBRARY_UNAVAILABLE',
    message: /libodd-private in \/usr\/lib\/x86_64-linux-gnu\/private/,
  });
});

test('a binary for another architecture is APP_ELF_WRONG_ARCH naming found and expected', async () => {
  const arm = exe(['libc.so.6'], { machine: EM_AARCH64, interp: '/lib/ld-linux-aarch64.so.1' });
  await assert.rejects(check(input(plan([elfFile('/app/x', arm)]), glibcImage())), {
    code: 'APP_ELF_WRONG_ARCH',
    message: /app\/x .*aarch64 \(arm64\), but the image is amd64/,
  });
  // A wrong-arch library in the search path is skipped like ld.so skips it: then it is missing.
  const image = glibcImage({
    'usr/lib/x86_64-linux-gnu/libsqlite3.so.0': lib('libsqlite3.so.0', [], EM_AARCH64),
  });
  const r = await check(input(plan([elfFile('/app/x', exe(['libsqlite3.so.0']))]), image));
  assert.deepEqual(
    r.addPackages.map((p) => p.name),
    ['libsqlite3-0'],
  );
});

test('a missing interpreter (a dynamic binary on the static base) is APP_ELF_INTERPRETER_MISSING', async () => {
  const empty = { files: new Map<string, ImageFile>(), readFile: async () => undefined };
  await assert.rejects(check(input(plan([elfFile('/app/x', exe(['libc.so.6']))]), empty)), {
    code: 'APP_ELF_INTERPRETER_MISSING',
    message: /ld-linux-x86-64\.so\.2.*no C library/,
  });
  // A static binary needs nothing.
  const r = await check(
    input(
      plan([elfFile('/app/s', buildElf({ bits: 64, machine: EM_X86_64, type: 2, noDynamic: true }))]),
      empty,
    ),
  );
  assert.deepEqual(r.addPackages, []);
});

test('a musl binary on a glibc base is APP_ELF_MUSL_ON_GLIBC', async () => {
  const musl = exe(['libc.musl-x86_64.so.1'], { interp: '/lib/ld-musl-x86_64.so.1' });
  await assert.rejects(check(input(plan([elfFile('/app/x', musl)]), glibcImage())), {
    code: 'APP_ELF_MUSL_ON_GLIBC',
    message: /musl .*glibc/,
  });
});

test('a Python extension for another Python version is APP_PYTHON_ABI_MISMATCH', async () => {
  assert.equal(pythonTag('_speedups.cpython-311-x86_64-linux-gnu.so'), '3.11');
  assert.equal(pythonTag('_speedups.cpython-313t-x86_64-linux-gnu.so'), '3.13');
  assert.equal(pythonTag('_speedups.abi3.so'), undefined);
  const ext = lib('', ['libc.so.6']);
  const path = '/usr/lib/python3/dist-packages/x/_speedups.cpython-311-x86_64-linux-gnu.so';
  const py = (version: string) =>
    plan([elfFile(path, ext)], { kind: 'python', runtime: { kind: 'python', version, from: 'test' } });
  await assert.rejects(check(input(py('3.13.5'), glibcImage())), {
    code: 'APP_PYTHON_ABI_MISMATCH',
    message: /Python 3\.11 extension module, but the image's Python is 3\.13/,
  });
  assert.deepEqual((await check(input(py('3.11.2'), glibcImage()))).addPackages, []);
});

test('chooseProvider prefers the package named like the library, never -dev', () => {
  const providers = [
    { package: 'libfoo-dev', dir: 'usr/lib/x86_64-linux-gnu' },
    { package: 'other-foo', dir: 'usr/lib/x86_64-linux-gnu' },
    { package: 'libfoo1', dir: 'usr/lib/x86_64-linux-gnu' },
  ];
  assert.equal(chooseProvider('libfoo.so.1', providers, 'amd64').chosen?.package, 'libfoo1');
  assert.equal(chooseProvider('libbar.so.1', providers.slice(0, 2), 'amd64').chosen?.package, 'other-foo');
  assert.equal(chooseProvider('libfoo.so.1', [{ package: 'x', dir: 'opt/lib' }], 'amd64').chosen, undefined);
});

test('a guessed provider (no verified Contents index) is added, and its guess is in the reason', async () => {
  const guessing = createNativeCheck(() => ({
    packagesProvidingLibrary: async () => [
      { package: 'libsqlite3-0', dir: '', guessed: 'guessed from the naming' },
    ],
  }));
  const r = await guessing(input(plan([elfFile('/app/x', exe(['libsqlite3.so.0']))]), glibcImage()));
  assert.deepEqual(
    r.addPackages.map((p) => p.name),
    ['libsqlite3-0'],
  );
  assert.match(r.addPackages[0]?.reason ?? '', /guessed from the naming/);
});
