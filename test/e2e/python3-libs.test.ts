/**
 * Issue 14 item 4: python3 has what distroless's ships for wheels and ctypes — libcrypt,
 * libnsl, libtirpc, Kerberos (GSSAPI), com_err, found by ctypes.util.find_library through the
 * image's ld.so.cache — and all of libc-bin, whose /etc/ld.so.conf.d/libc.conf makes an `ldconfig`
 * run in a derived image index /usr/local/lib. A python3 lock made before these joined the
 * catalogue still builds what it pins, with ldconfig, the C.utf8 locale and libc-bin's status.d
 * record as then. (distroless's import_everything test runs in test/e2e/distroless-cst.)
 * Needs the Debian archive and docker.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { needTools } from '../helpers/cli.ts';
import { buildBase, dockerLoad, dockerRemove, dockerRunOk } from '../helpers/docker.ts';

let work: Promise<string> | undefined;
const dir = () => (work ??= mkdtemp(join(tmpdir(), 'distill-e2e-python3-libs-')));
const loaded: string[] = [];
after(async () => {
  dockerRemove(loaded);
  if (work) await rm(await work, { recursive: true, force: true });
});

const PY = (code: string, tag: string, user = '65532') =>
  dockerRunOk(['--user', user, tag, '-c', code]).trim();

test('python3: the libraries wheels link, and ldconfig scans /usr/local/lib', {
  timeout: 900_000,
}, async (t) => {
  if (!needTools(t, ['docker.io:docker'])) return;
  const d = await dir();
  const tag = `distill-e2e-python3-libs-${process.pid}/python3:latest`;
  await buildBase('python3', ['--archive', join(d, 'py.tar'), '--tag', tag, '-q']);
  assert.deepEqual(await dockerLoad(join(d, 'py.tar')), [tag]);
  loaded.push(tag);
  const found = PY(
    "import ctypes.util; print(' '.join(str(ctypes.util.find_library(n)) for n in ['crypt', 'nsl', 'tirpc', 'gssapi_krb5', 'krb5', 'k5crypto', 'com_err', 'keyutils']))",
    tag,
  );
  assert.equal(
    found,
    'libcrypt.so.1 libnsl.so.2 libtirpc.so.3 libgssapi_krb5.so.2 libkrb5.so.3 libk5crypto.so.3 libcom_err.so.2 libkeyutils.so.1',
  );
  // Each loads (its own dependencies resolve in the image).
  PY("import ctypes; [ctypes.CDLL(n) for n in ['libcrypt.so.1', 'libnsl.so.2', 'libgssapi_krb5.so.2']]", tag);
  assert.equal(
    PY(
      "print(open('/etc/ld.so.conf').read().strip(), '|', open('/etc/ld.so.conf.d/libc.conf').read().split()[-1])",
      tag,
    ),
    'include /etc/ld.so.conf.d/*.conf | /usr/local/lib',
  );
  // A derived image puts a library in /usr/local/lib and runs ldconfig (as root, as a Dockerfile RUN would).
  const after = PY(
    [
      'import os, shutil, subprocess',
      "os.makedirs('/usr/local/lib', exist_ok=True)",
      "shutil.copy('/usr/lib/x86_64-linux-gnu/libz.so.1', '/usr/local/lib/libz.so.1')",
      "subprocess.run(['/sbin/ldconfig'], check=True)",
      "print(subprocess.run(['/sbin/ldconfig', '-p'], capture_output=True, text=True, check=True).stdout)",
    ].join('\n'),
    tag,
    '0',
  );
  assert.match(after, /libz\.so\.1 \(libc6,x86-64\) => \/usr\/local\/lib\/libz\.so\.1/);
});

test('a python3 lock from before libc-bin joined the layer builds what it pins, with ldconfig and the locale', {
  timeout: 900_000,
}, async (t) => {
  if (!needTools(t, ['docker.io:docker'])) return;
  const d = await dir();
  const lockPath = join(d, 'python3.lock');
  await buildBase('python3', ['--lock', lockPath, '--output', join(d, 'new'), '-q']);
  const lock = JSON.parse(await readFile(lockPath, 'utf8'));
  const added = new Set([
    'libc-bin',
    'libcrypt1',
    'libnsl2',
    'libtirpc3t64',
    'libtirpc-common',
    'libgssapi-krb5-2',
    'libk5crypto3',
    'libkeyutils1',
    'libkrb5-3',
    'libkrb5support0',
    'libcom-err2',
    'krb5-locales',
  ]);
  const runtime = lock.architectures.amd64.layers.find((l: { kind: string }) => l.kind === 'runtime');
  runtime.packages = runtime.packages.filter((p: { name: string }) => !added.has(p.name));
  await writeFile(lockPath, JSON.stringify(lock, null, 2));
  const tag = `distill-e2e-python3-libs-${process.pid}/python3:old-lock`;
  await buildBase('python3', ['--lock', lockPath, '--archive', join(d, 'old.tar'), '--tag', tag, '-q']);
  assert.deepEqual(await dockerLoad(join(d, 'old.tar')), [tag]);
  loaded.push(tag);
  assert.equal(
    PY(
      "import ctypes.util, os; print(ctypes.util.find_library('ssl'), ctypes.util.find_library('crypt'), os.path.exists('/usr/lib/locale/C.utf8/LC_CTYPE'), os.path.exists('/var/lib/dpkg/status.d/libc-bin'))",
      tag,
    ),
    'libssl.so.3 None True True',
  );
});
