/**
 * Cross-repository mounts from the blob memory (issue 13): learnt from pushes and pulls, kept on
 * disk by atomic renames, asked for with the source's pull scope, and falling back to the upload
 * session a registry answers when it will not mount.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Digest } from '../oci/index.ts';
import { fileBlobMemory, MAX_REPOS, memoryBlobMemory } from './blob-memory.ts';
import { staticKeychain } from './keychain.ts';
import { pullArtifact } from './pull.ts';
import { pushArtifact } from './push.ts';
import { FakeRegistry } from './testing/fake-registry.ts';
import { randomLayer, testImage, testIndex } from './testing/images.ts';
import { fakeOptions } from './testing/options.ts';

const mountPosts = (reg: FakeRegistry) =>
  reg.log.filter((l) => l.method === 'POST' && l.path.includes('mount=')).map((l) => l.status);

/** A base image and an app image on it: the app shares the base's layers, adds one, has its own config. */
function pair() {
  const base = testImage();
  const app = testImage({ layers: [...base.layers, randomLayer(300)] });
  return { base, app };
}

describe('cross-repository mounts from the blob memory', () => {
  it('a blob pushed to one repository is mounted into another; only the new layer and the config go up', async () => {
    const reg = new FakeRegistry();
    const blobMemory = memoryBlobMemory();
    const { base, app } = pair();
    await pushArtifact(base, `${reg.host}/team/python3:1`, fakeOptions(reg, { blobMemory }));
    reg.log.length = 0;
    const r = await pushArtifact(app, `${reg.host}/other/node:1`, fakeOptions(reg, { blobMemory }));
    assert.deepEqual(r.blobs, { existing: 0, mounted: 2, uploaded: 2, uploadedBytes: r.blobs.uploadedBytes });
    assert.equal(r.blobs.uploadedBytes, 300 + (app.manifest.config.size as number));
    // The two shared layers: mount with from (201). The new layer and the config: `mount` alone
    // (nobody is known to have them), answered with an upload session that is used as it is.
    assert.deepEqual(mountPosts(reg).sort(), [201, 201, 202, 202]);
    assert.equal(reg.count('POST', '/blobs/uploads/'), 4, 'one POST a blob: no second POST after a 202');
    assert.equal(reg.count('PATCH'), 2);
    assert.ok(
      reg.log.some((l) => l.path.includes('from=team%2Fpython3') || l.path.includes('from=team/python3')),
    );
    assert.deepEqual(await blobMemory.reposFor(reg.host, base.layers[0]?.descriptor.digest as Digest), [
      'other/node',
      'team/python3',
    ]);
  });

  it('a pull teaches the memory too: the next push elsewhere mounts what was pulled', async () => {
    const reg = new FakeRegistry();
    const { base, app } = pair();
    await pushArtifact(base, `${reg.host}/lib/base:1`, fakeOptions(reg));
    const blobMemory = memoryBlobMemory();
    await pullArtifact(`${reg.host}/lib/base:1`, fakeOptions(reg, { blobMemory }));
    const r = await pushArtifact(app, `${reg.host}/apps/app:1`, fakeOptions(reg, { blobMemory }));
    assert.equal(r.blobs.mounted, 2);
    assert.equal(r.blobs.uploaded, 2);
  });

  it('a registry that refuses mounts gets uploads, one POST a blob, and the wrong pairing is forgotten', async () => {
    const reg = new FakeRegistry();
    reg.mounts = 'refuse';
    const blobMemory = memoryBlobMemory();
    const { base, app } = pair();
    await pushArtifact(base, `${reg.host}/a/base:1`, fakeOptions(reg, { blobMemory }));
    reg.log.length = 0;
    const r = await pushArtifact(app, `${reg.host}/b/app:1`, fakeOptions(reg, { blobMemory }));
    assert.deepEqual(r.blobs, { existing: 0, mounted: 0, uploaded: 4, uploadedBytes: r.blobs.uploadedBytes });
    assert.equal(reg.count('POST', '/blobs/uploads/'), 4);
    assert.equal(reg.count('DELETE'), 0);
    assert.deepEqual(mountPosts(reg), [202, 202, 202, 202]);
    // What went up is all there, byte for byte.
    const back = await pullArtifact(`${reg.host}/b/app:1`, fakeOptions(reg));
    assert.equal(back.descriptor.digest, app.descriptor.digest);
    for (const l of app.layers) assert.ok(reg.repo('b/app').blobs.has(l.descriptor.digest));
    // a/base no longer offered for the shared layer (b/app now is).
    assert.deepEqual(await blobMemory.reposFor(reg.host, base.layers[0]?.descriptor.digest as Digest), [
      'b/app',
    ]);
  });

  it('a stale source is given up (its upload session cancelled) and the next source mounts', async () => {
    const reg = new FakeRegistry();
    const blobMemory = memoryBlobMemory();
    const { base, app } = pair();
    await pushArtifact(base, `${reg.host}/real/base:1`, fakeOptions(reg, { blobMemory }));
    const shared = base.layers.map((l) => l.descriptor.digest);
    // Remembered most recently: a repository that never had them (deleted, or a wrong memory).
    await blobMemory.remember(reg.host, 'gone/repo', shared);
    reg.log.length = 0;
    const r = await pushArtifact(app, `${reg.host}/x/app:1`, fakeOptions(reg, { blobMemory }));
    assert.equal(r.blobs.mounted, 2);
    assert.equal(reg.count('DELETE', '/blobs/uploads/'), 2, 'the stale source’s sessions are cancelled');
    assert.ok(!(await blobMemory.reposFor(reg.host, shared[0] as Digest)).includes('gone/repo'));
  });

  it('mount without from: a registry that finds the blob anywhere mounts it', async () => {
    const reg = new FakeRegistry();
    reg.mounts = 'anywhere';
    const { base, app } = pair();
    await pushArtifact(base, `${reg.host}/p/base:1`, fakeOptions(reg));
    reg.log.length = 0;
    // No memory, no mountFrom: only the registry knows.
    const r = await pushArtifact(app, `${reg.host}/q/app:1`, fakeOptions(reg));
    assert.equal(r.blobs.mounted, 2);
    assert.ok(reg.log.every((l) => !l.path.includes('from=')));
    const off = await pushArtifact(app, `${reg.host}/r/app:1`, { ...fakeOptions(reg), mountAnywhere: false });
    assert.equal(off.blobs.mounted, 0);
  });

  it('with token auth the mount asks for pull on the source repository', async () => {
    const reg = new FakeRegistry('127.0.0.1:5011', { type: 'token', users: { bob: 'pw' } });
    const keychain = staticKeychain({ [reg.host]: { username: 'bob', password: 'pw' } });
    const blobMemory = memoryBlobMemory();
    const { base, app } = pair();
    await pushArtifact(base, `${reg.host}/src/base:1`, fakeOptions(reg, { keychain, blobMemory }));
    reg.log.length = 0;
    const r = await pushArtifact(app, `${reg.host}/dst/app:1`, fakeOptions(reg, { keychain, blobMemory }));
    assert.equal(r.blobs.mounted, 2);
    const scopes = reg.log
      .filter((l) => l.path.startsWith('/token'))
      .map((l) => new URL(`http://x${l.path}`).searchParams.getAll('scope'));
    assert.ok(
      scopes.some((s) => s[0] === 'repository:dst/app:push,pull' && s.includes('repository:src/base:pull')),
      JSON.stringify(scopes),
    );
  });

  it('pushes of the same blob running together send it once (inflight), the others mount it', async () => {
    const reg = new FakeRegistry();
    const blobMemory = memoryBlobMemory();
    const { base } = pair();
    const inflight = new Map<string, Promise<unknown>>();
    const rs = await Promise.all(
      ['one', 'two', 'three'].map((repo) =>
        pushArtifact(base, `${reg.host}/${repo}/base:1`, { ...fakeOptions(reg, { blobMemory }), inflight }),
      ),
    );
    assert.equal(
      rs.reduce((n, r) => n + r.blobs.uploaded, 0),
      3,
      'two layers and the config, once each',
    );
    assert.equal(
      rs.reduce((n, r) => n + r.blobs.mounted, 0),
      6,
    );
  });
});

describe('fileBlobMemory', () => {
  it('persists across instances, keeps the most recent repositories first, survives torn files', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-blobmem-'));
    try {
      const d = `sha256:${'a'.repeat(64)}` as Digest;
      const e = `sha256:${'b'.repeat(64)}` as Digest;
      const m1 = fileBlobMemory(dir);
      await m1.remember('reg.example', 'x/one', [d, e]);
      await m1.remember('reg.example', 'x/two', [d]);
      const m2 = fileBlobMemory(dir);
      assert.deepEqual(await m2.reposFor('reg.example', d), ['x/two', 'x/one']);
      assert.deepEqual(await m2.reposFor('other.example', d), []);
      for (let i = 0; i < MAX_REPOS + 3; i++) await m2.remember('reg.example', `many/${i}`, [e]);
      const list = await fileBlobMemory(dir).reposFor('reg.example', e);
      assert.equal(list.length, MAX_REPOS);
      assert.equal(list[0], `many/${MAX_REPOS + 2}`);
      await m2.forget('reg.example', 'x/two', d);
      assert.deepEqual(await fileBlobMemory(dir).reposFor('reg.example', d), ['x/one']);
      // A torn or foreign file is nothing known, and is replaced by the next write.
      const [sub] = await readdir(dir);
      await writeFile(join(dir, sub as string, d.slice(7)), '["x/on');
      assert.deepEqual(await fileBlobMemory(dir).reposFor('reg.example', d), []);
      await fileBlobMemory(dir).remember('reg.example', 'x/three', [d]);
      assert.deepEqual(JSON.parse(await readFile(join(dir, sub as string, d.slice(7)), 'utf8')), ['x/three']);
      // Many writers at once: every file stays whole JSON, no temp file is left.
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => fileBlobMemory(dir).remember('reg.example', `w/${i}`, [d, e])),
      );
      for (const f of await readdir(join(dir, sub as string))) {
        assert.ok(!f.startsWith('.tmp'), f);
        assert.ok(Array.isArray(JSON.parse(await readFile(join(dir, sub as string, f), 'utf8'))));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a memory that cannot be written never fails a push', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'distill-blobmem-'));
    try {
      const file = join(dir, 'not-a-dir');
      await writeFile(file, 'x');
      const reg = new FakeRegistry();
      const r = await pushArtifact(
        testImage(),
        `${reg.host}/a/b:1`,
        fakeOptions(reg, { blobMemory: fileBlobMemory(file) }),
      );
      assert.equal(r.blobs.uploaded, 3);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('multi-arch push', () => {
  it('sends every platform’s manifest at once after the blobs, and the index last', async () => {
    const reg = new FakeRegistry();
    const idx = testIndex();
    let open = 0;
    let most = 0;
    const order: string[] = [];
    reg.intercept = async (req, url) => {
      if (req.method !== 'PUT' || !url.pathname.includes('/manifests/')) return undefined;
      order.push(req.headers.get('content-type') ?? '');
      open++;
      most = Math.max(most, open);
      await new Promise((r) => setTimeout(r, 20));
      open--;
      return undefined;
    };
    await pushArtifact(idx, `${reg.host}/multi/app:1`, fakeOptions(reg));
    assert.equal(most, 2, 'both platform manifests in flight together');
    assert.deepEqual(order, [...idx.children.map((c) => c.descriptor.mediaType), idx.descriptor.mediaType]);
  });
});

describe('mount without from, answered badly', () => {
  it('a registry that fails on `?mount=` alone (500) gets a plain upload', async () => {
    const reg = new FakeRegistry();
    reg.intercept = (req, url) =>
      req.method === 'POST' && url.searchParams.has('mount') && !url.searchParams.has('from')
        ? new Response('{"errors":[{"code":"UNKNOWN","message":"boom"}]}', { status: 500 })
        : undefined;
    const img = testImage();
    const r = await pushArtifact(img, `${reg.host}/a/b:1`, fakeOptions(reg));
    assert.equal(r.blobs.uploaded, 3);
    assert.equal(reg.count('POST', 'mount='), 3);
    assert.equal(reg.count('POST', '/blobs/uploads/'), 6, 'each refused mount, then one plain POST');
  });
});
