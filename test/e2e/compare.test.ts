/**
 * `distill compare` on real images: distill's static, python3 and nodejs22 against a full distro
 * (`mmdebstrap --variant=minbase trixie`, imported into the Docker engine and read back as
 * `docker-daemon:`), a scratch image holding one static musl binary, and a synthetic Alpine —
 * the seed's distroless vs full-distro vs Alpine vs scratch table, asserted in its numbers.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CompareRow } from '../../src/compare/index.ts';
import { distill } from '../helpers/cli.ts';
import { buildBase } from '../helpers/docker.ts';
import { minbaseImage } from '../helpers/minbase-image.ts';
import { hasTool, run, runOk } from '../helpers/tools.ts';

let dir = '';
let skip = '';
const refs: Record<string, string> = {};
let rows: CompareRow[] = [];
let stdout = '';

/** The minbase layout's one layer (mmdebstrap's tar), imported into the engine once per layer digest. */
function importMinbase(layout: string): string {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const blob = (d: string) => join(layout, 'blobs', 'sha256', d.slice(7));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0].digest), 'utf8'));
  const layer = manifest.layers[0].digest as string;
  const name = `distill-e2e-minbase:trixie-${layer.slice(7, 19)}`;
  if (run('docker', ['image', 'inspect', name]).status !== 0) runOk('docker', ['import', blob(layer), name]);
  return name;
}

before(async () => {
  for (const tool of ['docker', 'mmdebstrap', 'musl-gcc'])
    if (!hasTool(tool)) skip = `${tool} is not installed (.ci/run installs it)`;
  if (!skip && run('docker', ['info']).status !== 0)
    skip = 'the Docker engine is not running (.ci/run starts it)';
  if (skip) return;
  const minbase = await minbaseImage();
  if (!minbase.ref) {
    skip = minbase.skip ?? 'no minbase image';
    return;
  }
  dir = await mkdtemp(join(tmpdir(), 'distill-e2e-compare-'));
  await Promise.all(
    ['static', 'python3', 'nodejs22'].map((n) => buildBase(n, ['--output', join(dir, n), '-q'])),
  );
  for (const n of ['static', 'python3', 'nodejs22']) refs[n] = `oci:${join(dir, n)}`;
  refs.minbase = `docker-daemon:${importMinbase(minbase.ref.slice(4))}`;

  // scratch: one static binary and nothing else.
  await mkdir(join(dir, 'scratch-root'));
  writeFileSync(join(dir, 'hello.c'), '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n');
  runOk('musl-gcc', ['-static', '-O2', '-o', join(dir, 'scratch-root', 'hello'), join(dir, 'hello.c')]);
  // Alpine as its files say it (it cannot be pulled here): musl's loader, busybox, apk and its db.
  const a = join(dir, 'alpine-root');
  for (const d of ['bin', 'sbin', 'lib/apk/db', 'etc']) await mkdir(join(a, d), { recursive: true });
  writeFileSync(
    join(a, 'etc/os-release'),
    'ID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n',
  );
  writeFileSync(join(a, 'lib/ld-musl-x86_64.so.1'), 'ELF');
  writeFileSync(join(a, 'bin/busybox'), 'ELF', { mode: 0o755 });
  await symlink('/bin/busybox', join(a, 'bin/sh'));
  writeFileSync(join(a, 'sbin/apk'), 'ELF', { mode: 0o755 });
  writeFileSync(
    join(a, 'lib/apk/db/installed'),
    'P:musl\nV:1.2.5-r0\nA:x86_64\nL:MIT\n\nP:busybox\nV:1.36.1-r29\nA:x86_64\nL:GPL-2.0-only\n\nP:apk-tools\nV:2.14.4-r1\nA:x86_64\nL:GPL-2.0-only\n',
  );
  for (const [n, root, user] of [
    ['scratch', 'scratch-root', '65532'],
    ['alpine', 'alpine-root', ''],
  ] as const) {
    const r = distill([
      'image',
      'from-dir',
      join(dir, root),
      '--output',
      join(dir, n),
      '--entrypoint',
      '["/hello"]',
      ...(user ? ['--user', user] : []),
    ]);
    assert.equal(r.status, 0, r.stderr);
    refs[n] = `oci:${join(dir, n)}`;
  }
  const order = ['static', 'python3', 'nodejs22', 'minbase', 'scratch', 'alpine'].map(
    (n) => refs[n] as string,
  );
  const json = distill(['compare', ...order, '--json', '--html', join(dir, 'report.html')]);
  assert.equal(json.status, 0, json.stderr);
  rows = JSON.parse(json.stdout).images;
  const text = distill(['compare', ...order]);
  assert.equal(text.status, 0, text.stderr);
  stdout = text.stdout;
});
after(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

const row = (n: string) => rows.find((r) => r.name === refs[n]) as CompareRow;
const need = (t: { skip: (m: string) => void }) => {
  if (!skip) return true;
  if (process.env.CI === 'true') throw new Error(`${skip}: end-to-end tests may not skip under CI=true`);
  t.skip(skip);
  return false;
};

describe('distill compare: distroless vs full distro vs scratch vs Alpine', () => {
  it('distroless: no shell, no package manager, fewer packages and fewer bytes than minbase', (t) => {
    if (!need(t)) return;
    const m = row('minbase');
    for (const n of ['static', 'python3', 'nodejs22']) {
      const r = row(n);
      assert.deepEqual([r.shells, r.packageManagers], [[], []], n);
      assert.ok(r.packages < m.packages, `${n}: ${r.packages} packages vs minbase ${m.packages}`);
      assert.equal(r.setuid.length, 0, n);
      // nodejs22 carries a ~120 MB node binary minbase does not have at all: compare the rest.
      // (Uncompressed bytes only: the engine stores minbase's layer as a plain tar, so its
      // "compressed" size is not one.)
      const runtime = r.runtimes.find((x) => x.name === 'node')?.size ?? 0;
      assert.ok(
        r.uncompressedSize - runtime < m.uncompressedSize,
        `${n}: ${r.uncompressedSize} vs ${m.uncompressedSize}`,
      );
    }
    assert.ok(row('static').uncompressedSize < m.uncompressedSize / 10);
    assert.ok(row('python3').uncompressedSize < m.uncompressedSize);
  });

  it('minbase, read back from the engine: shells, apt and dpkg, setuid files, root, glibc', (t) => {
    if (!need(t)) return;
    const m = row('minbase');
    assert.ok(
      ['bash', 'dash', 'sh'].every((s) => m.shells.includes(s)),
      String(m.shells),
    );
    assert.ok(
      ['apt', 'dpkg'].every((s) => m.packageManagers.includes(s)),
      String(m.packageManagers),
    );
    assert.ok(m.setuid.includes('/usr/bin/su') && m.setuid.length >= 5, String(m.setuid));
    assert.deepEqual([m.libc, m.user.root, m.layersCompressed], ['glibc', true, false]);
    assert.ok((m.findings?.high ?? 0) > (row('static').findings?.high ?? 0));
  });

  it('libc and runtimes: static none, python3 and nodejs22 glibc with their runtime and version', (t) => {
    if (!need(t)) return;
    assert.equal(row('static').libc, 'none');
    assert.deepEqual(row('static').runtimes, []);
    const py = row('python3');
    assert.equal(py.libc, 'glibc');
    assert.match(py.runtimes.map((r) => `${r.name} ${r.version}`).join(), /^python3\.\d+ 3\.\d+\.\d+$/);
    const node = row('nodejs22');
    assert.equal(node.libc, 'glibc');
    assert.match(node.runtimes.map((r) => `${r.name} ${r.version}`).join(), /^node 22\.\d+\.\d+$/);
  });

  it('scratch: libc none, nothing but its binary; the synthetic Alpine reads as musl + apk', (t) => {
    if (!need(t)) return;
    const s = row('scratch');
    assert.deepEqual(
      [s.libc, s.shells, s.packageManagers, s.packages, s.user.display],
      ['none', [], [], 0, '65532'],
    );
    const a = row('alpine');
    assert.deepEqual(
      [a.libc, a.libcVersion, a.packageManagers, a.shells],
      ['musl', '1.2.5-r0', ['apk'], ['busybox', 'sh']],
    );
    assert.equal(a.packages, 3);
  });

  it('the text table has a column per image and the HTML report was written', (t) => {
    if (!need(t)) return;
    const header = stdout.split('\n')[0] ?? '';
    for (const r of Object.values(refs)) assert.ok(header.includes(r), r);
    assert.match(stdout, /^Shell +no +no +no +yes \(bash, dash, sh\) +no +yes \(busybox, sh\)$/m);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    assert.equal((html.match(/<th scope="col">/g) ?? []).length, 7);
  });
});
