/**
 * The Contents index: the streaming parser on a fixture, and the signed-Release chain against a
 * fixture archive served on loopback (by-hash fetch, cache by hash, warm run without a download,
 * tampered files refused with nothing cached).
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  clearsign,
  type FixtureServer,
  keyringOf,
  makeSigningKey,
  serveFiles,
} from '../../../test/fixtures/debian-archive.ts';
import { openCache } from '../../platform/cache.ts';
import { ARCHIVE_RETRY } from '../../platform/retry.ts';
import type { ArchiveEvent, ArchiveOptions } from '../archive/indexes.ts';
import type { ReleaseSpec } from '../types.ts';
import { contentsLookup } from './lookup.ts';
import { isLibraryPath, parseContentsLibraries } from './parse.ts';

const CONTENTS_AMD64 = [
  'bin                                                     admin/base-files',
  'etc/ld.so.conf.d/x86_64-linux-gnu.conf                  libs/libc6',
  'usr/lib/x86_64-linux-gnu/libsqlite3.so.0                libs/libsqlite3-0',
  'usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6            libs/libsqlite3-0',
  'usr/lib/x86_64-linux-gnu/libsqlite3.so                  libdevel/libsqlite3-dev',
  'usr/lib/x86_64-linux-gnu/libOpenCL.so.1                 libs/ocl-icd-libopencl1,contrib/libs/other-opencl',
  'usr/lib/x86_64-linux-gnu/pulseaudio/libpulsecommon-17.0.so sound/libpulse0',
  'usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0               libs/libcurl4t64',
  'lib/x86_64-linux-gnu/ld-linux-x86-64.so.2               libs/libc6',
  'usr/lib/odd dir/libspace.so.1                          libs/libspace1',
  'usr/lib/x86_64-linux-gnu/libfoo.so.conf                 libs/libfoo-conf',
  'usr/share/doc/libsqlite3-0/copyright                    libs/libsqlite3-0',
  'usr/lib/python3/dist-packages/x/_speedups.cpython-313-x86_64-linux-gnu.so python/python3-x',
  'usr/lib/x86_64-linux-gnu/debug/libstdc++.so.6.0.33      debug/libstdc++6-14-dbg',
  'usr/lib/debug/.build-id/ab/cdef.debug                    debug/libc6-dbg',
  '',
].join('\n');
const CONTENTS_ALL = [
  'usr/lib/ocaml/stublibs/libstub.so.1                     ocaml/libstub-ocaml',
  'usr/share/doc/libstub-ocaml/copyright                   ocaml/libstub-ocaml',
].join('\n'); // no final newline: the last line still counts

test('isLibraryPath: shared objects under lib/ and usr/lib/ only', () => {
  assert.equal(isLibraryPath('usr/lib/x86_64-linux-gnu/libz.so.1'), true);
  assert.equal(isLibraryPath('lib/x86_64-linux-gnu/ld-linux-x86-64.so.2'), true);
  assert.equal(isLibraryPath('usr/lib/jvm/java-21/lib/libjli.so'), true);
  assert.equal(isLibraryPath('usr/lib/x86_64-linux-gnu/libfoo.so.conf'), false);
  assert.equal(isLibraryPath('usr/share/lib/libz.so.1'), false);
  assert.equal(isLibraryPath('opt/lib/libz.so.1'), false);
  assert.equal(isLibraryPath('usr/lib/python3/dist-packages/x/_x.cpython-313-x86_64-linux-gnu.so'), false);
  assert.equal(isLibraryPath('usr/lib/x86_64-linux-gnu/debug/libstdc++.so.6.0.33'), false);
  assert.equal(isLibraryPath('usr/lib/x86_64-linux-gnu/gconv/UTF-16.so'), false);
});

test('the parser keeps library lines only, whatever the chunk boundaries', async () => {
  const text = CONTENTS_AMD64;
  // Every split point in a 7-byte rhythm, including inside multi-byte-free lines and at newlines.
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += 7) chunks.push(text.slice(i, i + 7));
  const table = await parseContentsLibraries(chunks);
  const whole = await parseContentsLibraries([Buffer.from(text)]);
  assert.deepEqual(table, whole);
  const bytes = Buffer.from(text);
  const byteChunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 5) byteChunks.push(bytes.subarray(i, i + 5));
  assert.deepEqual(await parseContentsLibraries(byteChunks), whole);
  assert.deepEqual(table.get('libsqlite3.so.0'), [
    { dir: 'usr/lib/x86_64-linux-gnu', packages: ['libsqlite3-0'] },
  ]);
  assert.deepEqual(table.get('libOpenCL.so.1'), [
    { dir: 'usr/lib/x86_64-linux-gnu', packages: ['ocl-icd-libopencl1', 'other-opencl'] },
  ]);
  assert.deepEqual(table.get('libspace.so.1'), [{ dir: 'usr/lib/odd dir', packages: ['libspace1'] }]);
  assert.deepEqual(table.get('libpulsecommon-17.0.so'), [
    { dir: 'usr/lib/x86_64-linux-gnu/pulseaudio', packages: ['libpulse0'] },
  ]);
  assert.equal(table.has('libfoo.so.conf'), false);
  assert.equal(table.has('copyright'), false);
  assert.equal(table.has('x86_64-linux-gnu.conf'), false);
  assert.equal(table.size, 8);
});

test('a library line without a package list is DEBIAN_INDEX_INVALID', async () => {
  await assert.rejects(parseContentsLibraries(['usr/lib/libz.so.1\n']), {
    code: 'DEBIAN_INDEX_INVALID',
    message: /line 1/,
  });
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const dirs: string[] = [];
const servers: FixtureServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A signed suite with Contents files; `lie` makes the Release list other hashes than served. */
async function fixture(opts: { lie?: 'gz' | 'plain'; omitAll?: boolean } = {}) {
  const key = await makeSigningKey();
  const files = new Map<string, Uint8Array>();
  const listed: string[] = [];
  const add = (name: string, text: string) => {
    const plain = Buffer.from(text);
    const gz = new Uint8Array(gzipSync(plain));
    files.set(`debian/dists/trixie/main/${name}.gz`, gz);
    files.set(`debian/dists/trixie/main/by-hash/SHA256/${sha(gz)}`, gz);
    const gzHash = opts.lie === 'gz' ? sha(Buffer.from('other')) : sha(gz);
    const plainHash = opts.lie === 'plain' ? sha(Buffer.from('other')) : sha(plain);
    listed.push(` ${gzHash} ${gz.length} main/${name}.gz`, ` ${plainHash} ${plain.length} main/${name}`);
  };
  add('Contents-amd64', CONTENTS_AMD64);
  if (!opts.omitAll) add('Contents-all', CONTENTS_ALL);
  const release = [
    'Origin: Debian',
    'Suite: trixie',
    'Codename: trixie',
    'Date: Thu, 01 Jan 2026 00:00:00 UTC',
    'Acquire-By-Hash: yes',
    'Architectures: amd64',
    'Components: main',
    'SHA256:',
    ...listed,
    '',
  ].join('\n');
  files.set('debian/dists/trixie/InRelease', Buffer.from(await clearsign(release, key)));
  const server = await serveFiles(files);
  servers.push(server);
  const cacheDir = await mkdtemp(join(tmpdir(), 'distill-contents-'));
  dirs.push(cacheDir);
  const spec: ReleaseSpec = {
    debian: 13,
    codename: 'trixie',
    suites: ['trixie', 'trixie-updates', 'trixie-security'],
    sources: [
      { mirror: server.mirrors.main, suites: ['trixie', 'trixie-updates'], components: ['main'] },
      { mirror: server.mirrors.security, suites: ['trixie-security'], components: ['main'] },
    ],
  };
  const events: ArchiveEvent[] = [];
  const options = async (): Promise<ArchiveOptions> => ({
    fetch: (url, init) => globalThis.fetch(url, init),
    keyring: keyringOf(key),
    cache: await openCache(cacheDir),
    retry: { policy: { ...ARCHIVE_RETRY, attempts: 1 } },
    onEvent: (e) => events.push(e),
  });
  return { server, spec, options, events, cacheDir };
}

test('lookup: signed Contents-amd64 + Contents-all fetched by hash, then answered from the cache', async () => {
  const f = await fixture();
  const lookup = contentsLookup(f.spec, await f.options());
  assert.deepEqual(await lookup.packagesProvidingLibrary('libsqlite3.so.0', 'amd64'), [
    { package: 'libsqlite3-0', dir: 'usr/lib/x86_64-linux-gnu' },
  ]);
  assert.deepEqual(await lookup.packagesProvidingLibrary('libstub.so.1', 'amd64'), [
    { package: 'libstub-ocaml', dir: 'usr/lib/ocaml/stublibs' },
  ]);
  assert.deepEqual(await lookup.packagesProvidingLibrary('libnothere.so.9', 'amd64'), []);
  const contentsRequests = f.server.requests.filter((r) => !r.endsWith('InRelease'));
  assert.equal(contentsRequests.length, 2, 'each file fetched once');
  assert.ok(
    contentsRequests.every((r) => r.includes('/by-hash/SHA256/')),
    'fetched by hash',
  );

  // A new process (new lookup, same cache): InRelease only, the tables come from the cache.
  f.server.requests.length = 0;
  f.events.length = 0;
  const warm = contentsLookup(f.spec, await f.options());
  assert.equal((await warm.packagesProvidingLibrary('libsqlite3.so.0', 'amd64'))[0]?.package, 'libsqlite3-0');
  assert.deepEqual(f.server.requests, ['debian/dists/trixie/InRelease']);
  assert.equal(f.events.filter((e) => e.type === 'index-cached').length, 2);
});

test('a .gz whose hash is not the signed one is refused, and nothing is cached', async () => {
  const f = await fixture({ lie: 'gz' });
  const lookup = contentsLookup(f.spec, await f.options());
  await assert.rejects(lookup.packagesProvidingLibrary('libsqlite3.so.0', 'amd64'), (e: unknown) => {
    assert.equal((e as { code?: string }).code, 'DEBIAN_INDEX_HASH_MISMATCH');
    // What the file said is kept as a hint only (contents-guess.ts proves it before use).
    const hint = (e as { unverifiedTable?: Map<string, { packages: string[] }[]> }).unverifiedTable;
    assert.deepEqual(hint?.get('libsqlite3.so.0')?.[0]?.packages, ['libsqlite3-0']);
    return true;
  });
  const { records, memoBlobs } = await cacheRecords(f.cacheDir);
  const blobs = (await readdir(join(f.cacheDir, 'blobs', 'sha256'))).filter(
    (n) => !n.startsWith('.') && !memoBlobs.has(n),
  );
  assert.deepEqual(blobs, []);
  assert.deepEqual(records, []);
});

/**
 * The cache's keyed records other than those of the verified InRelease files (their remembered
 * verification, their HTTP-cached copy), and the blobs of those.
 */
async function cacheRecords(dir: string): Promise<{ records: string[]; memoBlobs: Set<string> }> {
  const records: string[] = [];
  const memoBlobs = new Set<string>();
  const blob = (digest: string) => join(dir, 'blobs', 'sha256', digest.slice(7));
  for (const n of await readdir(join(dir, 'keys'))) {
    const r = JSON.parse(await readFile(join(dir, 'keys', n), 'utf8')) as { key: string; digest: string };
    if (r.key.startsWith('inrelease-verified:')) memoBlobs.add(r.digest.slice(7));
    else if (r.key.startsWith('http:')) {
      memoBlobs.add(r.digest.slice(7));
      const stored = JSON.parse(await readFile(blob(r.digest), 'utf8')) as { url: string; digest: string };
      assert.match(stored.url, /\/InRelease$/, 'only InRelease files are HTTP-cached');
      memoBlobs.add(stored.digest.slice(7));
    } else records.push(r.key);
  }
  return { records, memoBlobs };
}

test('decompressed text whose hash is not the signed one is refused; no table is cached', async () => {
  const f = await fixture({ lie: 'plain' });
  const lookup = contentsLookup(f.spec, await f.options());
  await assert.rejects(lookup.packagesProvidingLibrary('libsqlite3.so.0', 'amd64'), {
    code: 'DEBIAN_INDEX_HASH_MISMATCH',
    message: /decompressed/,
  });
  assert.deepEqual((await cacheRecords(f.cacheDir)).records, []);
});

test('a Release without Contents-all is DEBIAN_INDEX_UNLISTED', async () => {
  const f = await fixture({ omitAll: true });
  const lookup = contentsLookup(f.spec, await f.options());
  await assert.rejects(lookup.packagesProvidingLibrary('libsqlite3.so.0', 'amd64'), {
    code: 'DEBIAN_INDEX_UNLISTED',
    message: /Contents-all/,
  });
});

test('naming fallback: only when the Contents index cannot be verified, and only packages the signed index has', async () => {
  const { libraryPackageNames, withNamingFallback } = await import('./guess.ts');
  assert.deepEqual(libraryPackageNames('libsqlite3.so.0'), [
    'libsqlite3-0t64',
    'libsqlite3-0',
    'libsqlite3t64',
    'libsqlite3',
  ]);
  assert.deepEqual(libraryPackageNames('libssl.so.3'), ['libssl3t64', 'libssl3', 'libsslt64', 'libssl']);
  assert.deepEqual(libraryPackageNames('libxml2.so.2'), [
    'libxml2-2t64',
    'libxml2-2',
    'libxml2t64',
    'libxml2',
  ]);
  assert.deepEqual(libraryPackageNames('libfoo_bar.so.2.1'), [
    'libfoo-bar2t64',
    'libfoo-bar2',
    'libfoo-bart64',
    'libfoo-bar',
  ]);
  assert.deepEqual(libraryPackageNames('ld-linux-x86-64.so.2'), []);
  const failing = (code: string) => ({
    packagesProvidingLibrary: async () => {
      throw Object.assign(new Error('http://m/dists/trixie/main/Contents-amd64.gz: sha256 x but y'), {
        code,
      });
    },
  });
  const names = async () => new Set(['libsqlite3-0', 'libssl3t64']);
  const sqlite = await withNamingFallback(
    failing('DEBIAN_INDEX_HASH_MISMATCH'),
    names,
  ).packagesProvidingLibrary('libsqlite3.so.0', 'amd64');
  assert.equal(sqlite.length, 1);
  assert.equal(sqlite[0]?.package, 'libsqlite3-0');
  assert.match(sqlite[0]?.guessed ?? '', /could not be verified \(DEBIAN_INDEX_HASH_MISMATCH/);
  assert.deepEqual(
    await withNamingFallback(failing('DEBIAN_NOT_FOUND'), names).packagesProvidingLibrary(
      'libmine.so.1',
      'amd64',
    ),
    [],
  );
  // A network failure is not papered over.
  await assert.rejects(
    withNamingFallback(failing('DEBIAN_FETCH_FAILED'), names).packagesProvidingLibrary(
      'libssl.so.3',
      'amd64',
    ),
    {
      code: 'DEBIAN_FETCH_FAILED',
    },
  );
});

test('unverified Contents as a hint, proven by the package itself; the stem guess finds libxml2; a wrong hint is not added', async () => {
  const { withNamingFallback } = await import('./guess.ts');
  // A stale Contents (hash not the Release's) says libxml2.so.2 is in `libxml2-utils` (wrong) and `libxml2`.
  const stale = new Map([
    ['libxml2.so.2', [{ dir: 'usr/lib/x86_64-linux-gnu', packages: ['libxml2-utils', 'libxml2'] }]],
  ]);
  const failing = {
    packagesProvidingLibrary: async () => {
      throw Object.assign(new Error('http://m/dists/trixie/main/Contents-amd64.gz: sha256 x but y'), {
        code: 'DEBIAN_INDEX_HASH_MISMATCH',
        unverifiedTable: stale,
      });
    },
  };
  const names = async () => new Set(['libxml2', 'libxml2-utils']);
  const ships: Record<string, string> = { libxml2: 'usr/lib/x86_64-linux-gnu' };
  const proven: string[] = [];
  const prove = async (name: string) => {
    proven.push(name);
    return ships[name];
  };
  const got = await withNamingFallback(failing, names, prove).packagesProvidingLibrary(
    'libxml2.so.2',
    'amd64',
  );
  assert.deepEqual(proven, ['libxml2-utils', 'libxml2'], 'the hint is tried first, each candidate proven');
  assert.equal(got.length, 1);
  assert.equal(got[0]?.package, 'libxml2');
  assert.equal(got[0]?.dir, 'usr/lib/x86_64-linux-gnu');
  assert.match(
    got[0]?.guessed ?? '',
    /named by the unverified Contents index .* and proven: libxml2, fetched through the signed Packages index, ships usr\/lib\/x86_64-linux-gnu\/libxml2\.so\.2/,
  );

  // No hint: the naming guesses, the stem last, still find it.
  const noHint = {
    packagesProvidingLibrary: async () => {
      throw Object.assign(new Error('x: y'), { code: 'DEBIAN_INDEX_HASH_MISMATCH' });
    },
  };
  const byName = await withNamingFallback(noHint, names, prove).packagesProvidingLibrary(
    'libxml2.so.2',
    'amd64',
  );
  assert.match(byName[0]?.guessed ?? '', /named by Debian's library package naming/);
  // Nothing proven: nothing added.
  assert.deepEqual(
    await withNamingFallback(noHint, names, async () => undefined).packagesProvidingLibrary(
      'libxml2.so.2',
      'amd64',
    ),
    [],
  );
});
