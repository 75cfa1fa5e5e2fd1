import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { EM_X86_64 } from '../elf/machine.ts';
import { buildElf } from '../elf/testing/build-elf.ts';
import type { LayerEntry } from '../oci/tar/entry.ts';
import { globInRoot } from './conf.ts';
import { buildLdSoCache, entriesRootFs, readLdSoConf, resolveInRoot } from './ldcache.ts';

const own = { mode: 0o755, uid: 0, gid: 0 };
const dir = (path: string): LayerEntry => ({ ...own, path, type: 'dir' });
const link = (path: string, linkname: string): LayerEntry => ({ ...own, path, type: 'symlink', linkname });
const file = (path: string, content: Buffer | string): LayerEntry => {
  const b = Buffer.from(content);
  return { ...own, path, type: 'file', size: b.length, content: () => b };
};

test('resolveInRoot: symlinks stay inside the root, .. stops at /, loops and missing directories fail', async () => {
  const fs = entriesRootFs([
    dir('usr/lib/x86_64-linux-gnu'),
    link('lib', 'usr/lib'),
    link('usr/lib/escape', '../../../../etc'),
    link('abs', '/usr/lib'),
    link('loop1', 'loop2'),
    link('loop2', 'loop1'),
    file('etc/ld.so.conf', ''),
  ]);
  assert.equal(await resolveInRoot(fs, '/lib/x86_64-linux-gnu'), '/usr/lib/x86_64-linux-gnu');
  assert.equal(await resolveInRoot(fs, '/usr/lib/escape/ld.so.conf'), '/etc/ld.so.conf');
  assert.equal(await resolveInRoot(fs, '/abs/x86_64-linux-gnu/'), '/usr/lib/x86_64-linux-gnu');
  assert.equal(await resolveInRoot(fs, '/../../lib'), '/usr/lib');
  assert.equal(await resolveInRoot(fs, '/loop1'), undefined);
  assert.equal(await resolveInRoot(fs, '/nope/x'), undefined);
  assert.equal(await resolveInRoot(fs, '/lib/missing'), '/usr/lib/missing');
});

test('entriesRootFs: implied parents, last entry wins, hardlinks read their target, non-files refuse to open', async () => {
  const fs = entriesRootFs([
    file('usr/lib/a', 'one'),
    file('usr/lib/a', 'two!'),
    { ...own, path: 'usr/lib/b', type: 'hardlink', linkname: 'usr/lib/a' },
    file('./usr/lib/c', 'c'),
  ]);
  assert.deepEqual(await fs.lstat('/usr'), { type: 'dir' });
  assert.deepEqual(await fs.readdir('/usr/lib'), ['a', 'b', 'c']);
  assert.deepEqual(await fs.lstat('/usr/lib/b'), { type: 'file', size: 4 });
  const src = await fs.open('/usr/lib/b');
  assert.equal((await src.read(0, 10)).toString(), 'two!');
  await src.close?.();
  await assert.rejects(fs.open('/usr/lib'), { code: 'LDCACHE_READ_FAILED' });
  assert.equal(await fs.lstat('/usr/nothing'), undefined);
});

test('ld.so.conf: includes by glob (sorted, no dot files), nested, comments, hwcap and relative includes warned', async () => {
  const fs = entriesRootFs([
    file(
      'etc/ld.so.conf',
      '# top\ninclude /etc/ld.so.conf.d/*.conf   /etc/more.conf\ninclude rel/*.conf\n/opt/a/ # x\n',
    ),
    file('etc/ld.so.conf.d/b.conf', '/b\n'),
    file('etc/ld.so.conf.d/a.conf', '/a1\n\t/a2\t\n'),
    file('etc/ld.so.conf.d/.hidden.conf', '/hidden\n'),
    file('etc/ld.so.conf.d/c.txt', '/c\n'),
    file('etc/more.conf', 'hwcap 1 x\ninclude /etc/ld.so.conf.d/[b].conf\n'),
  ]);
  const warnings: string[] = [];
  const dirs = await readLdSoConf(fs, '/etc/ld.so.conf', (m) => warnings.push(m));
  assert.deepEqual(
    dirs.map((d) => d.path),
    ['/a1', '/a2', '/b', '/b', '/opt/a'],
  );
  assert.equal(dirs[0]?.from, '/etc/ld.so.conf.d/a.conf:1');
  assert.equal(warnings.length, 2);
  assert.deepEqual(await globInRoot(fs, '/etc/ld.so.conf.d/*.conf'), [
    '/etc/ld.so.conf.d/a.conf',
    '/etc/ld.so.conf.d/b.conf',
  ]);
  assert.deepEqual(await readLdSoConf(fs, '/etc/missing.conf'), []);
});

test('an include cycle stops instead of looping', async () => {
  const fs = entriesRootFs([file('etc/ld.so.conf', 'include /etc/ld.so.conf\n/x\n')]);
  const warnings: string[] = [];
  const dirs = await readLdSoConf(fs, '/etc/ld.so.conf', (m) => warnings.push(m));
  assert.ok(dirs.length > 0);
  assert.ok(warnings.some((w) => /nest too deeply/.test(w)));
});

test('buildLdSoCache over layer entries: merged /usr, a looping dir symlink and a missing dir are harmless', async () => {
  const lib = (soname: string) => buildElf({ bits: 64, machine: EM_X86_64, soname, needed: ['libc.so.6'] });
  const fs = entriesRootFs([
    link('lib', 'usr/lib'),
    file('usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3', lib('libfoo.so.1')),
    link('usr/lib/x86_64-linux-gnu/libfoo.so.1', 'libfoo.so.1.2.3'),
    link('usr/lib/x86_64-linux-gnu/libfoo.so', 'libfoo.so.1'),
    file('usr/lib/libbar.so.2', lib('libbar.so.2')),
    link('usr/lib/libloop.so.1', 'libloop.so.1'),
  ]);
  const r = await buildLdSoCache(fs, { arch: 'amd64', libcVersion: '2.41-12' });
  assert.deepEqual(r.dirs, ['/lib/x86_64-linux-gnu', '/lib']);
  assert.deepEqual(
    r.entries.map((e) => `${e.name} => ${e.path}`),
    [
      'libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1',
      'libfoo.so => /lib/x86_64-linux-gnu/libfoo.so',
      'libbar.so.2 => /lib/libbar.so.2',
    ],
  );
  assert.ok(r.skipped.some((s) => s.path === '/lib/libloop.so.1'));
});

test('a library whose content cannot be read fails the build with LDCACHE_READ_FAILED (no silent skip)', async () => {
  const broken: LayerEntry = {
    ...own,
    path: 'usr/lib/libbroken.so.1',
    type: 'file',
    size: 4096,
    content: () =>
      new Readable({
        read() {
          this.destroy(new Error('blob vanished'));
        },
      }),
  };
  await assert.rejects(buildLdSoCache(entriesRootFs([broken]), { arch: 'amd64', libcVersion: '2.41-12' }), {
    code: 'LDCACHE_READ_FAILED',
  });
});
