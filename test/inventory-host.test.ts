/**
 * The inventory against the real tools on a real, full Debian system (this machine): fed the host's
 * /var/lib/dpkg/status, info/*.md5sums and copyright files as a scan would keep them, it lists
 * exactly the packages `dpkg-query` says are installed, with their versions and architectures,
 * and finds multi-arch packages' `NAME:ARCH.md5sums`; likewise its Python distributions against
 * importlib.metadata and its global node_modules against `npm ls -g --all`. Skips (fails under CI)
 * without the tool.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir, readFile, realpath } from 'node:fs/promises';
import { test } from 'node:test';
import { inventory } from '../src/scan/index.ts';
import { imageFiles } from '../src/scan/inventory/inventory-testing.ts';
import { requireTool, run, runOk } from './helpers/tools.ts';

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

test('inventory of the host’s Debian Python distributions equals importlib.metadata', async (t) => {
  const site = '/usr/lib/python3/dist-packages';
  if (!requireTool(t, 'python3', 'python3') || !existsSync(site)) return;
  const files: Record<string, Buffer> = {};
  for (const e of await readdir(site, { withFileTypes: true })) {
    const p = `${site}/${e.name}`;
    if (e.isFile() && e.name.endsWith('.egg-info')) files[p] = await readFile(p);
    else if (e.isDirectory() && /\.(dist|egg)-info$/.test(e.name))
      for (const f of ['METADATA', 'RECORD', 'PKG-INFO'])
        if (existsSync(`${p}/${f}`)) files[`${p}/${f}`] = await readFile(`${p}/${f}`);
  }
  const inv = inventory(imageFiles(files));
  const script = `import importlib.metadata as m, re
for d in m.distributions(path=['${site}']):
    print(re.sub(r'[-_.]+', '-', d.metadata['Name']).lower(), d.version)`;
  const want = [...new Set(runOk('python3', ['-c', script]).trim().split('\n'))].sort();
  assert.ok(want.length > 0);
  assert.deepEqual([...new Set(inv.packages.map((p) => `${p.name} ${p.version}`))].sort(), want);
  assert.ok(inv.packages.every((p) => p.purl === `pkg:pypi/${p.name}@${p.version}`));
});

test('inventory of the host’s global node_modules equals `npm ls -g --all`', async (t) => {
  if (!requireTool(t, 'npm', 'npm')) return;
  const root = runOk('npm', ['root', '-g']).trim();
  if (!existsSync(root)) return;
  // Every package.json below it, test fixtures and `{"type":"module"}` markers in subfolders too.
  const files: Record<string, Buffer> = {};
  for (const p of runOk('find', [root, '-name', 'package.json', '-type', 'f']).trim().split('\n'))
    files[p] = await readFile(p);
  const warnings: string[] = [];
  const inv = inventory(imageFiles(files), { onWarning: (w) => warnings.push(w.path) });
  const got = inv.packages.map(
    (p) => `${(p.locations[0] as string).replace(/\/package\.json$/, '')}:${p.name}@${p.version}`,
  );
  // npm exits non-zero on extraneous or invalid trees; its list is still the oracle.
  const want = run('npm', ['ls', '-g', '--all', '--parseable', '--long'])
    .stdout.trim()
    .split('\n')
    .filter((l) => l.startsWith(`${root}/`));
  assert.ok(want.length > 0);
  assert.deepEqual(got.sort(), want.sort());
  assert.deepEqual(warnings, []);
});

test('inventory of the host’s /usr/share/java jars equals what unzip finds in them', async (t) => {
  const dir = '/usr/share/java';
  if (!requireTool(t, 'unzip', 'unzip') || !existsSync(dir)) return;
  const jars = [
    ...new Set(
      await Promise.all(
        (await readdir(dir)).filter((n) => n.endsWith('.jar')).map((n) => realpath(`${dir}/${n}`)),
      ),
    ),
  ].sort();
  if (!jars.length) return;
  const files: Record<string, Buffer> = {};
  for (const j of jars) files[j] = await readFile(j);
  const warnings: string[] = [];
  const inv = inventory(imageFiles(files), { onWarning: (w) => warnings.push(`${w.path}: ${w.message}`) });
  const want: string[] = [];
  for (const j of jars)
    for (const entry of run('unzip', ['-Z1', j]).stdout.split('\n'))
      if (/^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/.test(entry)) {
        const text = runOk('unzip', ['-p', j, entry]);
        const get = (k: string) => new RegExp(`^\\s*${k}\\s*[=:]\\s*(.*?)\\s*$`, 'm').exec(text)?.[1];
        const [g, a, v] = [get('groupId'), get('artifactId'), get('version')];
        if (g && a && v) want.push(`pkg:maven/${g}/${a}@${v} ${j}`);
      }
  assert.ok(want.length > 0);
  assert.deepEqual(warnings, []);
  assert.deepEqual(
    inv.packages.map((p) => `${decodeURIComponent(p.purl)} ${p.locations[0]}`).sort(),
    want.sort(),
  );
});
