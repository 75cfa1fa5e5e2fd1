// The path the image assembly takes: .deb packages extracted by distill's Debian engine (merged /usr,
// as for debian13), their layer entries scanned for ld.so.cache — compared with Debian's arm64
// ldconfig (under qemu) run over the same packages unpacked by dpkg-deb.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { extractDeb, layerEntries } from '../debian/deb/extract.ts';
import { ARM64_PACKAGES, foreignDebsRoot, have } from '../elf/testing/foreign-debs.ts';
import type { LayerEntry } from '../oci/tar/entry.ts';
import { openCache } from '../platform/cache.ts';
import { buildLdSoCache, entriesRootFs, readLdSoCache } from './ldcache.ts';

const CI = process.env.CI === 'true';
const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('arm64 packages extracted by the Debian engine give the cache Debian ldconfig writes', async (t) => {
  const fail = (why: string) => {
    if (CI) assert.fail(why);
    t.skip(why);
  };
  if (!have('qemu-aarch64-static')) return fail('qemu-aarch64-static is missing: install qemu-user-static');
  const fetched = await foreignDebsRoot('arm64', ARM64_PACKAGES);
  if ('skip' in fetched) return fail(fetched.skip);
  const work = await mkdtemp(join(tmpdir(), 'distill-ldcache-debs-'));
  dirs.push(work);

  // distill's side: extract each .deb with the merged-/usr rewrite; base-files would add the aliases.
  const cache = await openCache(join(work, 'cache'));
  const entries: LayerEntry[] = [];
  for (const deb of fetched.debs)
    entries.push(...layerEntries(await extractDeb(deb, { cache, mergedUsr: true })));
  const alias = (path: string): LayerEntry => ({
    path,
    type: 'symlink',
    linkname: `usr/${path}`,
    mode: 0o777,
    uid: 0,
    gid: 0,
  });
  entries.push(alias('lib'), alias('sbin'), alias('bin'));
  // A distroless image has no /etc/ld.so.conf.
  const image = entries.filter((e) => e.path.replace(/^\.?\//, '') !== 'etc/ld.so.conf');

  // glibc's side: the same packages unpacked by dpkg-deb, merged by hand, ldconfig under qemu.
  const root = join(work, 'root');
  await cp(fetched.root, root, { recursive: true, verbatimSymlinks: true });
  for (const top of ['lib', 'sbin', 'bin']) {
    if (!existsSync(join(root, top))) continue;
    await cp(join(root, top), join(root, 'usr', top), { recursive: true, verbatimSymlinks: true });
    await rm(join(root, top), { recursive: true });
    await symlink(`usr/${top}`, join(root, top));
  }
  await rm(join(root, 'etc/ld.so.conf'));
  execFileSync(
    'qemu-aarch64-static',
    [join(root, 'usr/sbin/ldconfig'), '-X', '-r', root, '-C', '/etc/ld.so.cache'],
    {
      stdio: 'pipe',
    },
  );
  const theirs = readFileSync(join(root, 'etc/ld.so.cache'));

  const started = Date.now();
  const ours = await buildLdSoCache(entriesRootFs(image), {
    arch: 'arm64',
    generator: readLdSoCache(theirs).generator as string,
  });
  const ms = Date.now() - started;
  assert.deepEqual(
    readLdSoCache(ours.bytes).entries.map((e) => `${e.name} ${e.path}`),
    readLdSoCache(theirs).entries.map((e) => `${e.name} ${e.path}`),
  );
  assert.ok(ours.bytes.equals(theirs), 'bytes differ from ldconfig');
  assert.ok(ms < 30_000, `took ${ms} ms`);
});
