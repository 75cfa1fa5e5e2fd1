/**
 * The library verbs with their effects injected: a registry round trip through the in-process
 * fake, `lock` against the signed fixture archive with env and cache passed in (not
 * process.env), the clock as `epoch`, and the bad inputs the facade itself refuses.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildArchive, type FixtureServer, serveFiles } from '../../test/fixtures/debian-archive.ts';
import { buildApp, fromDir, inspect, lock, openImage, pull, writeImage } from '../index.ts';
import { anonymousKeychain } from '../registry/index.ts';
import { FakeRegistry } from '../registry/testing/fake-registry.ts';

describe('library verbs', () => {
  let work: string;
  let rootfs: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'distill-api-'));
    rootfs = join(work, 'rootfs');
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await writeFile(join(rootfs, 'etc', 'hello'), 'hello\n');
  });
  after(() => rm(work, { recursive: true, force: true }));

  it('fromDir takes its clock and cache from the options, not the environment', async () => {
    const a = await fromDir(rootfs, { epoch: 5, blobDir: join(work, 'blobs-a'), env: {} });
    const b = await fromDir(rootfs, { env: { SOURCE_DATE_EPOCH: '5' }, cacheDir: join(work, 'cache-b') });
    assert.equal(a.config.created, '1970-01-01T00:00:05Z');
    assert.equal(a.descriptor.digest, b.descriptor.digest);
    assert.equal((await readdir(join(work, 'cache-b', 'blobs', 'sha256'))).length, 1);
    const c = join(work, 'c');
    for (const bad of [
      { env: { SOURCE_DATE_EPOCH: 'soon' } },
      { epoch: -1 },
      { epoch: 1.5 },
      { epoch: Number.NaN },
    ])
      await assert.rejects(fromDir(rootfs, { ...bad, cacheDir: c }), { code: 'SOURCE_DATE_EPOCH_INVALID' });
    // Refused before anything was written.
    await assert.rejects(readdir(c), { code: 'ENOENT' });
  });

  it('writeImage to docker:// and openImage/pull from it give back the same digest', async () => {
    const reg = new FakeRegistry('127.0.0.1:5191');
    const o = { fetch: reg.fetch, keychain: anonymousKeychain, env: {} };
    const img = await fromDir(rootfs, { epoch: 0, blobDir: join(work, 'blobs'), platform: 'linux/arm64' });
    const w = await writeImage(img, 'docker://127.0.0.1:5191/lib/app:1', o);
    assert.equal(w.push?.reference, `127.0.0.1:5191/lib/app:1@${img.descriptor.digest}`);
    assert.equal((await openImage('127.0.0.1:5191/lib/app:1', o)).descriptor.digest, img.descriptor.digest);
    const pulled = await pull('docker://127.0.0.1:5191/lib/app:1', o);
    const r = await inspect(pulled, { platform: 'linux/arm64' });
    assert.equal(r.digest, img.descriptor.digest);
    assert.deepEqual(r.platforms, ['linux/arm64/v8']);
  });

  it('refuses bad references and env names with a code, writing nothing', async () => {
    const out = join(work, 'bad');
    await mkdir(out);
    const img = await fromDir(rootfs, { epoch: 0, blobDir: join(work, 'blobs') });
    await assert.rejects(openImage('busybox'), { code: 'IMAGE_REF_INVALID' });
    await assert.rejects(writeImage(img, `docker-archive:${out}/x.tar:@0`), { code: 'IMAGE_REF_INVALID' });
    await assert.rejects(writeImage(img, `oci:${out}/layout:bad tag`), { code: 'IMAGE_REF_INVALID' });
    await assert.rejects(fromDir(rootfs, { config: { env: { 'A=B': 'c' } }, blobDir: join(out, 'blobs') }), {
      code: 'OCI_CONFIG_INVALID',
    });
    await assert.rejects(fromDir(rootfs, { config: { env: { '': 'c' } }, blobDir: join(out, 'blobs') }), {
      code: 'OCI_CONFIG_INVALID',
    });
    assert.deepEqual(await readdir(out), []);
  });

  it('buildApp puts a project on an oci: base, writing only the output, the cache and DIR/distill.lock', async () => {
    const baseRoot = join(work, 'base-root');
    await mkdir(join(baseRoot, 'nodejs', 'bin'), { recursive: true });
    await mkdir(join(baseRoot, 'etc'), { recursive: true });
    await writeFile(join(baseRoot, 'nodejs', 'bin', 'node'), '#!fake node\n', { mode: 0o755 });
    await writeFile(join(baseRoot, 'etc', 'passwd'), 'nonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n');
    const cacheDir = join(work, 'app-cache');
    const base = await fromDir(baseRoot, {
      epoch: 0,
      cacheDir,
      config: { entrypoint: ['/nodejs/bin/node'] },
    });
    await writeImage(base, `oci:${work}/base-layout:1`);
    const dir = join(work, 'web');
    await mkdir(dir);
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'web', scripts: { start: 'node server.js' } }),
    );
    await writeFile(join(dir, 'server.js'), 'console.log(1)\n');
    const offline = async (): Promise<never> => {
      throw new Error('this build needs no network');
    };
    const o = {
      config: { base: `oci:${work}/base-layout:1` },
      env: {},
      cacheDir,
      epoch: 0,
      npm: offline,
      fetch: offline,
    };
    const b = await buildApp(dir, { ...o, writeLock: false });
    assert.equal(b.plan.kind, 'node');
    assert.deepEqual(await readdir(dir), ['package.json', 'server.js']);
    const again = await buildApp(dir, o);
    assert.equal(again.artifact.descriptor.digest, b.artifact.descriptor.digest);
    assert.deepEqual((await readdir(dir)).sort(), ['distill.lock', 'package.json', 'server.js']);
    const w = await writeImage(b.artifact, `oci:${work}/app-layout:1`);
    assert.equal((await inspect(`oci:${w.layout?.path}:1`)).digest, b.artifact.descriptor.digest);
  });

  describe('lock against the signed fixture archive', () => {
    let server: FixtureServer;
    let env: Record<string, string>;
    before(async () => {
      const a = await buildArchive([
        { name: 'libc6', version: '2.41-12' },
        { name: 'app', version: '1', depends: 'libc6 (>= 2.41)' },
      ]);
      server = await serveFiles(a.files);
      await writeFile(join(work, 'fixture.asc'), a.privateKey.toPublic().armor());
      env = {
        DISTILL_DEBIAN_MIRROR: server.mirrors.main,
        DISTILL_DEBIAN_SECURITY_MIRROR: server.mirrors.security,
        DISTILL_DEBIAN_KEYS: work,
      };
    });
    after(() => server?.close());

    it('pins exact versions, writes the lock only where asked, and caches under cacheDir', async () => {
      const cacheDir = join(work, 'lock-cache');
      const output = join(work, 'distill.lock');
      const l = await lock(['app'], { arches: ['amd64'], env, cacheDir, output });
      assert.deepEqual(
        l.architectures.amd64?.packages.map((p) => `${p.name} ${p.version}`),
        ['app 1', 'libc6 2.41-12'],
      );
      assert.ok((await readdir(work)).includes('distill.lock'));
      assert.ok((await readdir(cacheDir)).length > 0);
    });

    it('an unknown package fails with its code and writes no lock', async () => {
      const output = join(work, 'none.lock');
      await assert.rejects(
        lock(['nosuch'], { arches: ['amd64'], env, cacheDir: join(work, 'lock-cache'), output }),
        {
          code: 'DEBIAN_PACKAGE_UNKNOWN',
        },
      );
      assert.ok(!(await readdir(work)).includes('none.lock'));
    });
  });
});
