/**
 * Push and pull through a fault-injecting proxy in front of the real registry: resets mid-blob
 * (both directions), 500/503, 429 with Retry-After, a stalled body. Both complete with correct
 * digests; with a fault on every request they fail clearly after bounded retries, and no tag is left.
 */

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { validate } from '../../src/oci/index.ts';
import { REGISTRY_RETRY } from '../../src/platform/index.ts';
import { isRegistryError, pullArtifact, pushArtifact, type RegistryEvent } from '../../src/registry/index.ts';
import { requireTool, tempDir } from '../helpers/tools.ts';
import { type Fault, startFaultProxy } from './fault-proxy.ts';
import { diskImage, diskLayer } from './fixtures.ts';
import { startRegistry } from './registry-server.ts';

const fast = { policy: { ...REGISTRY_RETRY, backoff: [50, 150] }, idleTimeoutMs: 1000 };

describe('registry faults against docker-registry', () => {
  it('push and pull complete through resets, 500/503, 429 Retry-After and a stalled body', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry')) return;
    const reg = await startRegistry(t);
    const proxy = await startFaultProxy(t, reg.host);
    const dir = await tempDir(t);
    const big = await diskLayer(dir, { 'data.bin': randomBytes(300_000) });
    const img = await diskImage([big, await diskLayer(dir, { 'x.txt': 'x' })]);
    const done = new Set<string>();
    const once = (key: string, f: Fault): Fault | undefined => {
      if (done.has(key)) return undefined;
      done.add(key);
      return f;
    };
    proxy.plan = (req) => {
      const m = req.method;
      const u = req.url ?? '';
      if (m === 'HEAD' && u.includes('/blobs/'))
        return once('head500', { kind: 'status', status: 500, body: 'boom' });
      if (m === 'POST' && u.includes('/blobs/uploads/'))
        return once('post503', { kind: 'status', status: 503 });
      if (m === 'PATCH') return once('patch-reset', { kind: 'reset-upload', afterBytes: 100_000 });
      if (m === 'PUT' && u.includes('/manifests/'))
        return once('put429', {
          kind: 'status',
          status: 429,
          headers: { 'retry-after': '1' },
          body: '{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}',
        });
      return undefined;
    };
    const events: RegistryEvent[] = [];
    const started = Date.now();
    const r = await pushArtifact(img, `${proxy.host}/faults/app:1`, {
      ...fast,
      onEvent: (e) => events.push(e),
    });
    assert.equal(r.digest, img.descriptor.digest);
    assert.deepEqual([...done].sort(), ['head500', 'patch-reset', 'post503', 'put429']);
    const retries = events.filter((e) => e.type === 'retry');
    assert.ok(
      retries.some((e) => e.delayMs === 1000),
      'Retry-After: 1 honoured',
    );
    assert.ok(Date.now() - started >= 1000);
    t.diagnostic(
      `push: ${retries.length} retries: ${retries.map((e) => (e as { message: string }).message.slice(0, 60)).join(' | ')}`,
    );

    done.clear();
    proxy.plan = (req) => {
      const u = req.url ?? '';
      if (req.method !== 'GET') return undefined;
      if (u.includes('/manifests/')) return once('manifest503', { kind: 'status', status: 503 });
      if (u.endsWith(big.descriptor.digest) && !req.headers.range) {
        return done.has('reset-download')
          ? once('stall', { kind: 'stall', afterBytes: 20_000 })
          : once('reset-download', { kind: 'reset-download', afterBytes: 50_000 });
      }
      return undefined;
    };
    const pullEvents: RegistryEvent[] = [];
    const pulled = await pullArtifact(`${proxy.host}/faults/app:1`, {
      ...fast,
      onEvent: (e) => pullEvents.push(e),
    });
    assert.equal(pulled.descriptor.digest, img.descriptor.digest);
    await validate(pulled, { deep: true }); // reads every layer: first read is reset mid-body
    await validate(pulled, { deep: true }); // second read stalls mid-body
    assert.deepEqual([...done].sort(), ['manifest503', 'reset-download', 'stall']);
    const resumed = pullEvents.filter((e) => e.type === 'blob-download-resumed');
    assert.equal(resumed.length, 2);
    assert.ok(
      proxy.records.some((x) => x.status === 206),
      'resumed with a Range request',
    );
  });

  it('with a fault on every request: a clear error after bounded retries, and no tag', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry')) return;
    const reg = await startRegistry(t);
    const proxy = await startFaultProxy(t, reg.host);
    const dir = await tempDir(t);
    const img = await diskImage([await diskLayer(dir, { 'a.txt': 'a' })]);
    // Everything past the ping answers 503.
    proxy.plan = (req) => (req.url === '/v2/' ? undefined : { kind: 'status', status: 503 });
    const started = Date.now();
    await assert.rejects(
      pushArtifact(img, `${proxy.host}/faults/none:1`, fast),
      (e) => isRegistryError(e, 'REGISTRY_UNAVAILABLE') && /HTTP 503 after 3 attempts/.test(e.message),
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `bounded: ${elapsed} ms`);
    assert.equal(proxy.count('PUT', '/manifests/'), 0);
    // Every request, the ping too, reset.
    proxy.plan = () => ({ kind: 'reset-upload', afterBytes: 0 });
    await assert.rejects(pushArtifact(img, `${proxy.host}/faults/none:1`, fast), (e) =>
      isRegistryError(e, 'REGISTRY_NETWORK'),
    );
    await assert.rejects(pullArtifact(`${reg.host}/faults/none:1`, fast), (e) =>
      isRegistryError(e, 'REGISTRY_NOT_FOUND'),
    );
  });

  it('two pushes of the same blobs into one repository at once all land (distribution relinks in place)', async (t) => {
    if (!requireTool(t, 'docker-registry', 'docker-registry')) return;
    const reg = await startRegistry(t);
    const dir = await tempDir(t);
    // distribution rewrites a blob's link file on every upload of it; a manifest PUT that reads the
    // file mid-rewrite is answered 400 MANIFEST_BLOB_UNKNOWN. About one push in fifty meets it here.
    const rounds = 80;
    let retried = 0;
    for (let i = 0; i < rounds; i++) {
      const shared = await Promise.all(
        [0, 1, 2, 3, 4, 5].map((n) => diskLayer(dir, { [`f${n}`]: randomBytes(4096) })),
      );
      const imgs = await Promise.all(['amd64', 'arm64'].map((a) => diskImage(shared, { architecture: a })));
      const refs = imgs.map((_, k) => `${reg.host}/race/r${i}:t${k}`);
      await Promise.all(
        imgs.map((img, k) =>
          pushArtifact(img, refs[k] as string, {
            ...fast,
            mountAnywhere: false,
            onEvent: (e) => {
              if (e.type === 'retry' && /MANIFEST_BLOB_UNKNOWN/.test(e.message)) retried++;
            },
          }),
        ),
      );
      for (const [k, img] of imgs.entries())
        assert.equal((await pullArtifact(refs[k] as string, fast)).descriptor.digest, img.descriptor.digest);
    }
    t.diagnostic(`manifest PUTs sent again after MANIFEST_BLOB_UNKNOWN: ${retried} of ${rounds * 2}`);
  });
});
