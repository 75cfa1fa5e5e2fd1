/**
 * The whole trust chain into layer contents, against the signed fixture archive with real .deb files:
 * InRelease → Packages → resolve → download (sha256 from the index) → extract → status.d. Every bad
 * package the issue names fails with its own code, and the cache is left without a half entry, a
 * temp file, or an extraction of a bad package.
 */

import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  buildArchive,
  type FixtureArchive,
  type FixtureServer,
  serveFiles,
} from '../../../test/fixtures/debian-archive.ts';
import { type Cache, openCache } from '../../platform/cache.ts';
import { ARCHIVE_RETRY } from '../../platform/retry.ts';
import type { ArchiveOptions } from '../archive/indexes.ts';
import { releaseSpec } from '../archive/mirror.ts';
import { resolveFromRelease } from '../resolve/from-release.ts';
import { packageContents } from './extract-packages.ts';
import { type FixtureFile, makeDeb } from './reader-fixture.ts';

const dirs: string[] = [];
let archive: FixtureArchive;
let server: FixtureServer;

const dir = (name: string): FixtureFile => ({ name, type: 'directory' });
const BAD: Record<string, { files?: FixtureFile[]; dataCompression?: string; code: string }> = {
  'evil-dotdot': {
    files: [dir('./'), { name: './usr/../../etc/cron.d/x', content: 'x' }],
    code: 'DEB_PATH_UNSAFE',
  },
  'evil-abs': {
    files: [dir('./'), { name: '/etc/passwd', content: 'root::0:0::/:/bin/sh\n' }],
    code: 'DEB_PATH_UNSAFE',
  },
  'evil-link': {
    files: [
      dir('./'),
      dir('./etc/'),
      { name: './etc/out', type: 'symlink', linkname: '../../../../../tmp' },
      { name: './etc/out/pwned', content: 'x' },
    ],
    code: 'DEB_SYMLINK_TRAVERSAL',
  },
  'odd-compression': { dataCompression: 'bz2', code: 'DEB_COMPRESSION_UNKNOWN' },
  tampered: { code: 'DEB_HASH_MISMATCH' },
  truncated: { code: 'DEB_TRUNCATED' },
};

before(async () => {
  const good = await makeDeb({
    package: 'base-files',
    version: '13.8',
    md5sums: 'd41d8cd98f00b204e9800998ecf8427e  etc/debian_version\n',
    files: [
      dir('./'),
      { name: './bin', type: 'symlink', linkname: 'usr/bin' },
      dir('./etc/'),
      { name: './etc/debian_version', content: '13.8\n' },
      dir('./usr/'),
      dir('./usr/bin/'),
    ],
  });
  const tool = await makeDeb({
    package: 'tool',
    version: '1',
    dataCompression: 'zstd',
    files: [dir('./'), dir('./sbin/'), { name: './sbin/tool', content: 'TOOL', mode: 0o755 }],
  });
  const packages = [
    { name: 'base-files', version: '13.8', deb: good },
    { name: 'tool', version: '1', depends: 'base-files', deb: tool },
  ];
  for (const [name, bad] of Object.entries(BAD)) {
    const deb = await makeDeb({
      package: name,
      files: bad.files ?? [dir('./'), { name: './payload', content: 'payload' }],
      ...(bad.dataCompression ? { dataCompression: bad.dataCompression } : {}),
    });
    packages.push({ name, version: '1', deb });
  }
  archive = await buildArchive(packages, { architectures: ['amd64'] });
  // Served bytes that differ from what the signed index says, after the index was made.
  for (const [path, pkg] of archive.debs) {
    const bytes = archive.files.get(path) as Uint8Array;
    if (pkg.name === 'tampered') {
      const t = Buffer.from(bytes);
      t.writeUInt8(t.readUInt8(t.length - 10) ^ 0xff, t.length - 10);
      archive.files.set(path, t);
    }
    if (pkg.name === 'truncated') archive.files.set(path, bytes.subarray(0, bytes.length - 100));
  }
  server = await serveFiles(archive.files);
});
after(async () => {
  await server?.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function fresh(): Promise<Cache> {
  const d = await mkdtemp(join(tmpdir(), 'distill-chain-'));
  dirs.push(d);
  return openCache(d);
}
const archiveOptions = (cache: Cache): ArchiveOptions => ({
  fetch: (url, init) => fetch(url, init),
  keyring: archive.keyring,
  cache,
  now: () => new Date(),
  retry: { sleep: async () => {}, policy: { ...ARCHIVE_RETRY, attempts: 2 } },
});
async function resolveNames(cache: Cache, names: string[]) {
  const r = await resolveFromRelease(releaseSpec(13, server.mirrors), names, {
    arch: 'amd64',
    archive: archiveOptions(cache),
  });
  return r.packages;
}

test('signed archive → resolve → download → extract (merged-/usr) → status.d', async () => {
  const cache = await fresh();
  const pkgs = await resolveNames(cache, ['tool']);
  assert.deepEqual(
    pkgs.map((p) => p.name),
    ['base-files', 'tool'],
  );
  const out = await packageContents(pkgs, { cache, mergedUsr: true, sleep: async () => {} });
  const byName = Object.fromEntries(out.map((o) => [o.pkg.name, o]));
  assert.deepEqual(
    byName['base-files']?.files.map((f) => [f.path, f.type]),
    [
      ['bin', 'symlink'],
      ['etc', 'dir'],
      ['etc/debian_version', 'file'],
      ['usr', 'dir'],
      ['usr/bin', 'dir'],
    ],
  );
  assert.deepEqual(
    byName.tool?.files.map((f) => f.path),
    ['usr/sbin', 'usr/sbin/tool'],
  );
  assert.deepEqual(byName['base-files']?.statusD.map((f) => f.path).slice(4), [
    'var/lib/dpkg/status.d/base-files',
    'var/lib/dpkg/status.d/base-files.md5sums',
  ]);
  assert.match(String(await byName.tool?.statusD[4]?.content?.()), /^Package: tool\nVersion: 1\n/);
});

for (const [name, bad] of Object.entries(BAD)) {
  test(`fixture archive: ${name} → ${bad.code}; the cache holds no half entry`, async () => {
    const cache = await fresh();
    const pkgs = await resolveNames(cache, [name]);
    const before = new Set(await readdir(join(cache.root, 'blobs', 'sha256')));
    const keysBefore = new Set(await readdir(join(cache.root, 'keys')));
    await assert.rejects(packageContents(pkgs, { cache, mergedUsr: true, sleep: async () => {} }), {
      code: bad.code,
    });
    const added = (await readdir(join(cache.root, 'blobs', 'sha256'))).filter((f) => !before.has(f));
    const keysAdded = (await readdir(join(cache.root, 'keys'))).filter((f) => !keysBefore.has(f));
    assert.ok(
      added.every((f) => !f.startsWith('.tmp-')),
      `temp files left: ${added}`,
    );
    assert.deepEqual(keysAdded, [], 'no extraction recorded for a bad package');
    const sha = pkgs[0]?.sha256 as string;
    // A bad download never appears under the name the index gives it; a bad package that downloaded
    // fine is kept (it is what the signed index says) but never extracted.
    if (bad.code === 'DEB_HASH_MISMATCH' || bad.code === 'DEB_TRUNCATED') assert.ok(!added.includes(sha));
    else assert.deepEqual(added, [sha]);
  });
}
