/**
 * The inventory against dpkg itself on a real, full Debian system (this machine): fed the host's
 * /var/lib/dpkg/status, info/*.md5sums and copyright files as a scan would keep them, it lists
 * exactly the packages `dpkg-query` says are installed, with their versions and architectures,
 * and finds multi-arch packages' `NAME:ARCH.md5sums`. Skips (fails under CI) without dpkg-query.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { inventory } from '../src/scan/index.ts';
import { imageFiles } from '../src/scan/inventory/inventory-testing.ts';
import { requireTool, runOk } from './helpers/tools.ts';

test('inventory of the host’s dpkg database equals dpkg-query', async (t) => {
  if (!requireTool(t, 'dpkg-query', 'dpkg') || !existsSync('/var/lib/dpkg/status')) return;
  const files: Record<string, Buffer> = {};
  const add = async (p: string) => {
    if (existsSync(p)) files[p] = await readFile(p);
  };
  await add('/etc/os-release');
  await add('/etc/debian_version');
  await add('/var/lib/dpkg/status');
  for (const n of await readdir('/var/lib/dpkg/info'))
    if (n.endsWith('.md5sums')) await add(`/var/lib/dpkg/info/${n}`);
  for (const d of await readdir('/usr/share/doc')) await add(`/usr/share/doc/${d}/copyright`);

  const warnings: string[] = [];
  const inv = inventory(imageFiles(files), { onWarning: (w) => warnings.push(`${w.path}: ${w.message}`) });
  assert.deepEqual(warnings, []);
  const want = runOk('dpkg-query', [
    '-W',
    '-f',
    `\${db:Status-Abbrev}|\${Package} \${Version} \${Architecture}\\n`,
  ])
    .split('\n')
    .filter((l) => /^[a-z]i/.test(l))
    .map((l) => l.slice(l.indexOf('|') + 1))
    .sort();
  assert.deepEqual(inv.packages.map((p) => `${p.name} ${p.version} ${p.arch}`).sort(), want);

  const libc = inv.packages.find((p) => p.name === 'libc6');
  assert.ok(libc, 'libc6 is installed');
  assert.match(
    libc.purl,
    /^pkg:deb\/debian\/libc6@[^?]+\?arch=[a-z0-9]+&distro=debian-\d+\.\d+&upstream=glibc$/,
  );
  // libc6 is Multi-Arch: same, so dpkg names its file list libc6:ARCH.md5sums.
  assert.ok(
    libc.files?.some((f) => /\/libc\.so\.6$/.test(f)),
    'files from libc6:ARCH.md5sums',
  );
  // Every package whose copyright file is DEP-5 gets licences; the free-text ones get none.
  for (const p of inv.packages) {
    const c = files[`/usr/share/doc/${p.name}/copyright`]?.toString('utf8') ?? '';
    const dep5 = /^Format:.*copyright-format\/1\.0/m.test(c) && /^License: *\S/m.test(c);
    assert.equal(p.licenses.length > 0, dep5, `${p.name}: DEP-5 ${dep5}, licences ${p.licenses.join(' ')}`);
  }
});
