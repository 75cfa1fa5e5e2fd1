/**
 * The archive side of the Debian engine against a generated, signed fixture archive served on
 * 127.0.0.1: the trust chain (InRelease → Release → Packages), its failure modes, the cache,
 * fallbacks and retries.
 */

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import {
  type ArchiveEvent,
  type ArchiveOptions,
  fetchRelease,
  loadReleaseIndexes,
} from '../src/debian/archive/indexes.ts';
import { verifyInRelease } from '../src/debian/archive/inrelease.ts';
import { loadKeyring } from '../src/debian/archive/keys.ts';
import { releaseSpec } from '../src/debian/archive/mirror.ts';
import { type Cache, openCache } from '../src/platform/cache.ts';
import { ARCHIVE_RETRY } from '../src/platform/retry.ts';
import {
  buildArchive,
  clearsign,
  type FixturePackage,
  type FixtureServer,
  keyringOf,
  makeSigningKey,
  serveFiles,
} from './fixtures/debian-archive.ts';

const PACKAGES: FixturePackage[] = [
  { name: 'libc6', version: '2.41-12', multiArch: 'same' },
  { name: 'libc6', version: '2.41-12', architecture: 'arm64', multiArch: 'same' },
  { name: 'base-files', version: '13.8', depends: 'libc6 (>= 2.36)' },
  { name: 'libssl3t64', version: '3.5.1-1', suite: 'trixie-security', depends: 'libc6 (>= 2.38)' },
];

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'distill-archive-'));
});
after(async () => {
  // A failed Promise.all may leave sibling requests writing to the cache for a moment.
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

const noSleep = { sleep: async () => {}, policy: { ...ARCHIVE_RETRY, attempts: 3 } };
async function freshCache(): Promise<Cache> {
  return openCache(await mkdtemp(join(dir, 'cache-')));
}
async function cacheFiles(cache: Cache): Promise<string[]> {
  return readdir(join(cache.root, 'blobs', 'sha256'));
}
function options(keyring: ArchiveOptions['keyring'], cache?: Cache, events?: ArchiveEvent[]): ArchiveOptions {
  return {
    fetch: (url, init) => fetch(url, init),
    keyring,
    ...(cache ? { cache } : {}),
    now: () => new Date(),
    retry: noSleep,
    ...(events ? { onEvent: (e: ArchiveEvent) => events.push(e) } : {}),
  };
}
async function withServer<T>(
  files: Map<string, Uint8Array>,
  fn: (s: FixtureServer) => Promise<T>,
): Promise<T> {
  const s = await serveFiles(files);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

test('loads every suite of a release, verified, from both archives', async () => {
  const a = await buildArchive(PACKAGES);
  await withServer(a.files, async (s) => {
    const idx = await loadReleaseIndexes(releaseSpec(13, s.mirrors), 'amd64', options(a.keyring));
    assert.deepEqual(
      idx.map((i) => [i.suite, i.packages.map((p) => p.name)]),
      [
        ['trixie', ['libc6', 'base-files']],
        ['trixie-updates', []],
        ['trixie-security', ['libssl3t64']],
      ],
    );
    const sec = idx[2]?.packages[0];
    assert.equal(sec?.mirror, s.mirrors.security);
    // The paragraph is kept verbatim, continuation lines included.
    assert.match(
      sec?.raw ?? '',
      /^Package: libssl3t64\n[\s\S]*\n A continuation line, kept verbatim\.\n \.\n/,
    );
    assert.equal(sec?.field('Depends'), 'libc6 (>= 2.38)');
    // Indexes are fetched by hash when the Release offers it.
    assert.ok(s.requests.some((r) => r.includes('/by-hash/SHA256/')));
  });
});

test('the shipped Debian keys load', async () => {
  const k = await loadKeyring();
  assert.ok((await k.keys()).length >= 6);
  assert.match(k.id, /^sha256:[0-9a-f]{64}$/);
  await assert.rejects(loadKeyring(join(dir, 'no-such-dir')), { code: 'DEBIAN_KEYS_MISSING' });
});

test('a tampered InRelease fails with DEBIAN_SIGNATURE_BAD and caches nothing', async () => {
  const a = await buildArchive(PACKAGES);
  const path = 'debian/dists/trixie/InRelease';
  const text = new TextDecoder().decode(a.files.get(path));
  a.files.set(path, new TextEncoder().encode(text.replace('Label: Debian', 'Label: Debiax')));
  const cache = await freshCache();
  await withServer(a.files, async (s) => {
    await assert.rejects(loadReleaseIndexes(releaseSpec(13, s.mirrors), 'amd64', options(a.keyring, cache)), {
      code: 'DEBIAN_SIGNATURE_BAD',
    });
  });
  assert.deepEqual(
    (await cacheFiles(cache)).filter((f) => !f.startsWith('.tmp')),
    [],
  );
});

test('an unsigned InRelease fails with DEBIAN_INRELEASE_UNSIGNED', async () => {
  const a = await buildArchive(PACKAGES);
  a.files.set('debian/dists/trixie/InRelease', a.files.get('debian/dists/trixie/Release') as Uint8Array);
  await withServer(a.files, async (s) => {
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie', options(a.keyring)), {
      code: 'DEBIAN_INRELEASE_UNSIGNED',
    });
  });
});

test('an InRelease signed by a key we do not ship fails with DEBIAN_KEY_UNTRUSTED', async () => {
  const a = await buildArchive(PACKAGES);
  const stranger = await makeSigningKey('someone else');
  await withServer(a.files, async (s) => {
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie', options(keyringOf(stranger))), {
      code: 'DEBIAN_KEY_UNTRUSTED',
    });
  });
});

test('a verified InRelease is remembered: the same bytes and keys need no OpenPGP for a day, other keys or a day later do', async () => {
  const a = await buildArchive(PACKAGES);
  const cache = await freshCache();
  const stranger = keyringOf(await makeSigningKey('someone else'));
  await withServer(a.files, async (s) => {
    const first = await fetchRelease(s.mirrors.main, 'trixie', options(a.keyring, cache));
    // The same keyring identity whose keys cannot even be parsed: answered from the memo.
    const unparsable = { id: a.keyring.id, keys: () => Promise.reject(new Error('keys parsed')) };
    const again = await fetchRelease(s.mirrors.main, 'trixie', options(unparsable, cache));
    assert.deepEqual(again.signers, first.signers);
    assert.equal(again.release.suite, 'trixie');
    // Another keyring is not answered by a verification made with these keys.
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie', options(stranger, cache)), {
      code: 'DEBIAN_KEY_UNTRUSTED',
    });
    // A day on, the signature is checked again.
    const later = { ...options(unparsable, cache), now: () => new Date(Date.now() + 25 * 3600 * 1000) };
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie', later), /keys parsed/);
    // Other bytes (a re-signed InRelease) are verified afresh.
    const path = 'debian/dists/trixie/InRelease';
    const release = new TextDecoder().decode(a.files.get('debian/dists/trixie/Release'));
    a.files.set(path, new TextEncoder().encode(await clearsign(release, a.privateKey)));
  });
  await withServer(a.files, async (s) => {
    const unparsable = { id: a.keyring.id, keys: () => Promise.reject(new Error('keys parsed')) };
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie', options(unparsable, cache)), /keys parsed/);
  });
});

test('the real Debian keys do not trust the fixture key', async () => {
  const a = await buildArchive(PACKAGES);
  await withServer(a.files, async (s) => {
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie', options(await loadKeyring())), {
      code: 'DEBIAN_KEY_UNTRUSTED',
    });
  });
});

test('a second signature by an unknown key is ignored when a trusted one verifies', async () => {
  const a = await buildArchive(PACKAGES);
  const other = await makeSigningKey('old key');
  const path = 'debian/dists/trixie/InRelease';
  const release = new TextDecoder().decode(a.files.get('debian/dists/trixie/Release'));
  const { createCleartextMessage, sign } = await import('openpgp');
  const both = await sign({
    message: await createCleartextMessage({ text: release }),
    signingKeys: [other, a.privateKey],
  });
  a.files.set(path, new TextEncoder().encode(both as string));
  await withServer(a.files, async (s) => {
    const r = await fetchRelease(s.mirrors.main, 'trixie', options(a.keyring));
    assert.deepEqual(r.signers, [a.privateKey.getKeyID().toHex()]);
  });
});

test('a Packages file whose hash differs from the signed Release fails and caches nothing', async () => {
  const a = await buildArchive(PACKAGES, { compressions: ['gz'] });
  const evil = (
    await buildArchive([{ name: 'libc6', version: '9.9-9' }], { compressions: ['gz'], byHash: false })
  ).files.get('debian/dists/trixie/main/binary-amd64/Packages.gz') as Uint8Array;
  for (const [p] of a.files)
    if (p.startsWith('debian/dists/trixie/main/binary-amd64/') && !p.endsWith('Release'))
      a.files.set(p, evil);
  const cache = await freshCache();
  await withServer(a.files, async (s) => {
    await assert.rejects(loadReleaseIndexes(releaseSpec(13, s.mirrors), 'amd64', options(a.keyring, cache)), {
      code: 'DEBIAN_INDEX_HASH_MISMATCH',
    });
  });
  // Other suites may have been cached; nothing half-written, and never the bad index.
  const left = await cacheFiles(cache);
  assert.deepEqual(
    left.filter((f) => f.startsWith('.tmp')),
    [],
  );
  const evilPlain = createHash('sha256').update(gunzipSync(evil)).digest('hex');
  assert.ok(!left.includes(evilPlain));
});

test('a Release for another suite (a replayed or swapped file) fails with DEBIAN_RELEASE_MISMATCH', async () => {
  const a = await buildArchive(PACKAGES);
  a.files.set(
    'debian/dists/trixie-updates/InRelease',
    a.files.get('debian/dists/trixie/InRelease') as Uint8Array,
  );
  await withServer(a.files, async (s) => {
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie-updates', options(a.keyring)), {
      code: 'DEBIAN_RELEASE_MISMATCH',
    });
  });
});

test('an expired Release (Valid-Until in the past) fails with DEBIAN_RELEASE_EXPIRED', async () => {
  const a = await buildArchive(PACKAGES, { validUntil: new Date('2020-01-15T00:00:00Z') });
  await withServer(a.files, async (s) => {
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie', options(a.keyring)), {
      code: 'DEBIAN_RELEASE_EXPIRED',
    });
  });
});

test('a missing InRelease is DEBIAN_NOT_FOUND; a server that keeps failing is DEBIAN_FETCH_FAILED', async () => {
  const a = await buildArchive(PACKAGES);
  a.files.delete('debian/dists/trixie/InRelease');
  await withServer(a.files, async (s) => {
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie', options(a.keyring)), {
      code: 'DEBIAN_NOT_FOUND',
    });
    s.faults.set('debian/dists/trixie-updates/InRelease', [503, 503, 503, 503]);
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie-updates', options(a.keyring)), {
      code: 'DEBIAN_FETCH_FAILED',
    });
  });
});

test('transient failures are retried', async () => {
  const a = await buildArchive(PACKAGES);
  await withServer(a.files, async (s) => {
    s.faults.set('debian/dists/trixie/InRelease', [503, 429]);
    const r = await fetchRelease(s.mirrors.main, 'trixie', options(a.keyring));
    assert.equal(r.release.suite, 'trixie');
    assert.equal(s.requests.filter((p) => p === 'debian/dists/trixie/InRelease').length, 3);
  });
});

test('falls back from by-hash to the plain path, and from .xz to .gz', async () => {
  const a = await buildArchive(PACKAGES);
  for (const p of [...a.files.keys()]) {
    if (p.includes('/by-hash/')) a.files.delete(p);
    if (p.endsWith('Packages.xz')) a.files.delete(p);
  }
  await withServer(a.files, async (s) => {
    const events: ArchiveEvent[] = [];
    const idx = await loadReleaseIndexes(
      releaseSpec(13, s.mirrors),
      'amd64',
      options(a.keyring, undefined, events),
    );
    assert.equal(idx[0]?.packages.length, 2);
    assert.ok(s.requests.includes('debian/dists/trixie/main/binary-amd64/Packages.gz'));
    // Progress: each attempt is announced with the size the signed Release gives; the one fetched has it.
    const trixie = events.filter((e) => 'suite' in e && e.suite === 'trixie' && e.type.startsWith('index-'));
    const gz = a.files.get('debian/dists/trixie/main/binary-amd64/Packages.gz')?.length;
    assert.deepEqual(
      trixie.map((e) => [e.type, 'path' in e ? e.path : '']),
      [
        ['index-fetching', 'main/binary-amd64/Packages.xz'],
        ['index-fetching', 'main/binary-amd64/Packages.gz'],
        ['index-fetched', ''],
      ],
    );
    assert.ok(trixie[0]?.type === 'index-fetching' && trixie[0].size > 0);
    assert.ok(trixie[1]?.type === 'index-fetching' && trixie[1].size === gz);
    assert.ok(trixie[2]?.type === 'index-fetched' && trixie[2].bytes === gz);
  });
});

test('a warm cache serves the indexes: only InRelease files are fetched', async () => {
  const a = await buildArchive(PACKAGES);
  const cache = await freshCache();
  await withServer(a.files, async (s) => {
    const spec = releaseSpec(13, s.mirrors);
    await loadReleaseIndexes(spec, 'amd64', options(a.keyring, cache));
    s.requests.length = 0;
    const events: ArchiveEvent[] = [];
    const again = await loadReleaseIndexes(
      spec,
      'amd64',
      options(a.keyring, await openCache(cache.root), events),
    );
    assert.deepEqual(
      s.requests.filter((r) => !r.endsWith('/InRelease')),
      [],
    );
    assert.equal(events.filter((e) => e.type === 'index-cached').length, 3);
    assert.equal(again[0]?.packages.length, 2);
  });
});

test('an unchanged InRelease is asked with If-None-Match and comes back 304; a changed one is fetched and verified', async () => {
  const a = await buildArchive(PACKAGES);
  const cache = await freshCache();
  const path = 'debian/dists/trixie/InRelease';
  await withServer(a.files, async (s) => {
    await fetchRelease(s.mirrors.main, 'trixie', options(a.keyring, cache));
    assert.deepEqual(s.notModified, []);
    const again = await fetchRelease(
      s.mirrors.main,
      'trixie',
      options(a.keyring, await openCache(cache.root)),
    );
    assert.deepEqual(s.notModified, [path]);
    assert.equal(again.release.suite, 'trixie');

    // A changed file: 200, and its signature is checked (a bad one fails, the good copy stays).
    const good = a.files.get(path) as Uint8Array;
    const text = new TextDecoder().decode(good);
    a.files.set(path, new TextEncoder().encode(text.replace('Label: Debian', 'Label: Debiax')));
    await assert.rejects(fetchRelease(s.mirrors.main, 'trixie', options(a.keyring, cache)), {
      code: 'DEBIAN_SIGNATURE_BAD',
    });
    a.files.set(path, good);
    await fetchRelease(s.mirrors.main, 'trixie', options(a.keyring, cache));
    assert.deepEqual(s.notModified, [path, path], 'the tampered copy was never kept');
  });
});

test('a signed Release that lists no Packages index for the arch fails with DEBIAN_INDEX_UNLISTED', async () => {
  const a = await buildArchive(PACKAGES, { architectures: ['amd64'] });
  await withServer(a.files, async (s) => {
    await assert.rejects(loadReleaseIndexes(releaseSpec(13, s.mirrors), 'arm64', options(a.keyring)), {
      code: 'DEBIAN_INDEX_UNLISTED',
    });
  });
});

test('only the signed text is used: data after the signature block is ignored', async () => {
  const key = await makeSigningKey();
  const text = 'Suite: x\nCodename: x\nSHA256:\n';
  const signed = await clearsign(text, key);
  const v = await verifyInRelease(
    `${signed}\nSHA256:\n ${'0'.repeat(64)} 1 main/binary-amd64/Packages\n`,
    keyringOf(key),
  );
  assert.equal(v.text, text);
});

test('resolving against the fixture archive: cycle, alternatives, unsatisfiable, exclusions, suites', async () => {
  const { resolveFromRelease } = await import('../src/debian/resolve/from-release.ts');
  const a = await buildArchive([
    ...PACKAGES,
    { name: 'libc6', version: '2.41-12+deb13u1', suite: 'trixie-security' },
    { name: 'ping', version: '1', depends: 'pong, libc6 (>= 2.41-12+deb13u1)' },
    { name: 'pong', version: '1', depends: 'ping (= 1)' },
    { name: 'app', version: '1', depends: 'gone (>= 2) | base-files, debconf | debconf-2.0' },
    { name: 'debconf', version: '1.5', architecture: 'all' },
    { name: 'broken', version: '1', depends: 'libssl3t64 (>= 4)' },
  ]);
  await withServer(a.files, async (s) => {
    const spec = releaseSpec(13, s.mirrors);
    const r = await resolveFromRelease(spec, ['ping', 'app'], { arch: 'amd64', archive: options(a.keyring) });
    assert.deepEqual(
      r.packages.map((p) => [p.name, p.version, p.suite]),
      [
        ['app', '1', 'trixie'],
        ['base-files', '13.8', 'trixie'],
        ['libc6', '2.41-12+deb13u1', 'trixie-security'],
        ['ping', '1', 'trixie'],
        ['pong', '1', 'trixie'],
      ],
    );
    const libc = r.packages.find((p) => p.name === 'libc6');
    assert.equal(libc?.mirror, s.mirrors.security);
    assert.equal(libc?.filename, 'pool/main/l/libc6/libc6_2.41-12+deb13u1_amd64.deb');
    // The sha256 handed to downloads is the one of the published file.
    const deb = a.files.get(`debian-security/${libc?.filename}`) as Uint8Array;
    assert.equal(libc?.sha256, createHash('sha256').update(deb).digest('hex'));
    assert.equal(libc?.size, deb.length);
    assert.deepEqual(
      r.excluded.map((x) => x.name),
      ['debconf'],
    );
    await assert.rejects(
      resolveFromRelease(spec, ['broken'], { arch: 'amd64', archive: options(a.keyring) }),
      {
        code: 'DEBIAN_UNSATISFIABLE',
      },
    );
  });
});

test('a resolution is reused only while every signed index is unchanged', async () => {
  const { resolveFromRelease } = await import('../src/debian/resolve/from-release.ts');
  const a = await buildArchive(PACKAGES);
  const cache = await freshCache();
  await withServer(a.files, async (s) => {
    const spec = releaseSpec(13, s.mirrors);
    const opts = { arch: 'amd64', archive: options(a.keyring, cache) };
    const first = await resolveFromRelease(spec, ['base-files'], opts);
    assert.equal(first.cached, false);
    s.requests.length = 0;
    const second = await resolveFromRelease(spec, ['base-files'], opts);
    assert.equal(second.cached, true);
    assert.deepEqual(second.packages, first.packages);
    // Only the InRelease files were fetched (and verified).
    assert.deepEqual(
      s.requests.filter((r) => !r.endsWith('/InRelease')),
      [],
    );
    // Other inputs miss the cache.
    assert.equal((await resolveFromRelease(spec, ['base-files'], { ...opts, exclude: ['x'] })).cached, false);
    assert.equal((await resolveFromRelease(spec, ['base-files'], { ...opts, reuse: false })).cached, false);
    // A newly signed index (libc6 moved on in the security suite) is a miss, and wins.
    const b = await buildArchive(
      [...PACKAGES, { name: 'libc6', version: '2.41-12+deb13u1', suite: 'trixie-security' }],
      {
        signingKey: a.privateKey,
      },
    );
    for (const [k, v] of b.files) a.files.set(k, v);
    const third = await resolveFromRelease(spec, ['base-files'], opts);
    assert.equal(third.cached, false);
    assert.equal(third.packages.find((p) => p.name === 'libc6')?.version, '2.41-12+deb13u1');
    // A tampered InRelease is refused even though a resolution is cached.
    const path = 'debian/dists/trixie/InRelease';
    a.files.set(
      path,
      new TextEncoder().encode(
        new TextDecoder().decode(a.files.get(path)).replace('Label: Debian', 'Label: Debiax'),
      ),
    );
    await assert.rejects(resolveFromRelease(spec, ['base-files'], opts), { code: 'DEBIAN_SIGNATURE_BAD' });
  });
});
