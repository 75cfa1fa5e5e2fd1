import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Image } from '../oci/image.ts';
import { isRegistryError } from './errors.ts';
import type { RegistryEvent } from './events.ts';
import { pullArtifact } from './pull.ts';
import { pushArtifact } from './push.ts';
import { FakeRegistry } from './testing/fake-registry.ts';
import { randomLayer, testImage, testIndex } from './testing/images.ts';
import { fakeOptions as opts } from './testing/options.ts';

const reset = () => {
  throw new TypeError('fetch failed', {
    cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
  });
};

async function drain(img: Image): Promise<void> {
  for (const l of img.layers) for await (const _ of await l.open());
}

describe('faults', () => {
  it('retries 500/503 with 1 s then 3 s backoff and 429 after its Retry-After', async () => {
    const reg = new FakeRegistry();
    let n = 0;
    reg.intercept = (req) => {
      if (req.method !== 'HEAD') return undefined;
      n++;
      if (n === 1) return new Response('oops', { status: 500 });
      if (n === 2) return new Response('{"errors":[{"code":"UNAVAILABLE"}]}', { status: 503 });
      if (n === 4)
        return new Response('{"errors":[{"code":"TOOMANYREQUESTS"}]}', {
          status: 429,
          headers: { 'retry-after': '7' },
        });
      return undefined;
    };
    const o = opts(reg);
    const img = testImage();
    await pushArtifact(img, `${reg.host}/app:1`, { ...o, jobs: 1 });
    assert.deepEqual(o.sleeps, [1000, 3000, 7000]);
    assert.equal(reg.repo('app').tags.get('1'), img.descriptor.digest);
  });

  it('restarts an upload that was reset mid-blob, from a new POST', async () => {
    const reg = new FakeRegistry();
    let resets = 0;
    reg.intercept = (req) => (req.method === 'PATCH' && resets++ < 2 ? reset() : undefined);
    const events: RegistryEvent[] = [];
    const img = testImage();
    const r = await pushArtifact(img, `${reg.host}/app:1`, { ...opts(reg), onEvent: (e) => events.push(e) });
    assert.equal(r.blobs.uploaded, 3);
    assert.equal(reg.count('POST', '/blobs/uploads'), 5);
    assert.equal(events.filter((e) => e.type === 'retry').length, 2);
    await drain((await pullArtifact(`${reg.host}/app:1`, opts(reg))) as Image);
  });

  it('a temporary registry code on a non-5xx status (BLOB_UPLOAD_INVALID) retries the upload', async () => {
    const reg = new FakeRegistry();
    let once = true;
    reg.intercept = (req) => {
      if (req.method === 'PUT' && req.url.includes('/blobs/uploads/') && once) {
        once = false;
        return new Response('{"errors":[{"code":"BLOB_UPLOAD_INVALID","message":"try again"}]}', {
          status: 400,
        });
      }
      return undefined;
    };
    await pushArtifact(testImage(), `${reg.host}/app:1`, opts(reg));
    assert.ok(reg.repo('app').tags.has('1'));
  });

  it('a manifest PUT answered "blob unknown" for a blob that is there (a relink race) is sent again', async () => {
    const reg = new FakeRegistry();
    let refusals = 0;
    reg.intercept = (req) => {
      if (req.method !== 'PUT' || !req.url.includes('/manifests/') || refusals++ > 0) return undefined;
      // What distribution answers when it reads a link file another upload is rewriting.
      return new Response(
        '{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"},' +
          '{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:x"}]}',
        { status: 400 },
      );
    };
    const events: RegistryEvent[] = [];
    const o = opts(reg);
    const img = testImage();
    const r = await pushArtifact(img, `${reg.host}/app:1`, { ...o, onEvent: (e) => events.push(e) });
    assert.equal(reg.repo('app').tags.get('1'), img.descriptor.digest);
    assert.deepEqual(o.sleeps, [1000]);
    assert.equal(events.filter((e) => e.type === 'retry').length, 1);
    // Each blob was checked again (a HEAD), none sent twice, none counted twice.
    assert.equal(r.blobs.uploaded, 3);
    assert.equal(r.blobs.existing, 0);
    assert.equal(reg.count('PUT', '/manifests/'), 2);
  });

  it('a blob gone from the repository before the manifest PUT is sent again, then the manifest', async () => {
    const reg = new FakeRegistry();
    const img = testImage();
    const victim = img.layers[0]?.descriptor.digest as string;
    let removed = false;
    reg.intercept = (req) => {
      if (req.method === 'PUT' && req.url.includes('/manifests/') && !removed) {
        removed = true;
        reg.repo('app').blobs.delete(victim);
      }
      return undefined;
    };
    const r = await pushArtifact(img, `${reg.host}/app:1`, opts(reg));
    assert.equal(reg.repo('app').tags.get('1'), img.descriptor.digest);
    assert.ok(reg.repo('app').blobs.has(victim));
    assert.equal(r.blobs.uploaded + r.blobs.mounted, 4);
  });

  it('an index whose child manifest went missing before its PUT: the child is pushed again, then the index', async () => {
    const reg = new FakeRegistry();
    const index = testIndex();
    const child = index.children[1]?.descriptor.digest as string;
    let removed = false;
    reg.intercept = (req) => {
      if (req.method === 'PUT' && req.url.endsWith('/manifests/1') && !removed) {
        removed = true;
        reg.repo('app').manifests.delete(child);
      }
      return undefined;
    };
    const r = await pushArtifact(index, `${reg.host}/app:1`, opts(reg));
    assert.ok(removed);
    assert.equal(reg.repo('app').tags.get('1'), index.descriptor.digest);
    assert.ok(reg.repo('app').manifests.has(child));
    assert.equal(r.manifests.pushed, 4, 'two children, one of them twice, and the index');
  });

  it('a manifest whose blob stays unknown fails after the bounded attempts and tags nothing', async () => {
    const reg = new FakeRegistry();
    const img = testImage();
    const victim = img.layers[0]?.descriptor.digest as string;
    reg.intercept = (req) => {
      if (req.method === 'PUT' && req.url.includes('/manifests/')) reg.repo('app').blobs.delete(victim);
      return undefined;
    };
    const o = opts(reg);
    await assert.rejects(
      pushArtifact(img, `${reg.host}/app:1`, { ...o, mountAnywhere: false }),
      (e) => isRegistryError(e) && /MANIFEST_BLOB_UNKNOWN/.test(e.message),
    );
    assert.equal(reg.repo('app').tags.size, 0);
    assert.equal(reg.count('PUT', '/manifests/'), 3);
    assert.deepEqual(o.sleeps, [1000, 3000]);
  });

  it('with a fault on every request, fails clearly after bounded retries and leaves no tag', async () => {
    const reg = new FakeRegistry();
    reg.intercept = (_req, url) =>
      url.pathname === '/v2/' ? undefined : new Response('down', { status: 503 });
    const o = opts(reg);
    await assert.rejects(
      pushArtifact(testImage(), `${reg.host}/app:1`, o),
      (e) => isRegistryError(e, 'REGISTRY_UNAVAILABLE') && /HTTP 503 after 3 attempts/.test(e.message),
    );
    assert.equal(reg.repo('app').tags.size, 0);
    assert.equal(reg.count('PUT', '/manifests/'), 0);
    assert.ok(o.sleeps.length <= 4 * 2 && o.sleeps.every((s) => s <= 3000));
    reg.intercept = (_req, url) => (url.pathname === '/v2/' ? undefined : reset());
    await assert.rejects(pushArtifact(testImage(), `${reg.host}/app:1`, opts(reg)), (e) =>
      isRegistryError(e, 'REGISTRY_NETWORK'),
    );
    assert.equal(reg.repo('app').tags.size, 0);
  });

  it('resumes a blob download that breaks or stalls mid-body, with a Range request', async () => {
    const reg = new FakeRegistry();
    const big = randomLayer(64 * 1024);
    const img = testImage({ layers: [big] });
    await pushArtifact(img, `${reg.host}/app:1`, opts(reg));
    const bytes = reg.blobs.get(big.descriptor.digest) as Buffer;
    let mode: 'reset' | 'stall' = 'reset';
    let faults = 0;
    reg.intercept = (req, url) => {
      if (req.method !== 'GET' || !url.pathname.endsWith(big.descriptor.digest) || req.headers.get('range'))
        return undefined;
      faults++;
      const half = bytes.subarray(0, 30_000);
      return new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(new Uint8Array(half));
            // Error after the first bytes were read (an errored web stream drops queued chunks).
            if (mode === 'reset')
              setTimeout(
                () => c.error(Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' })),
                20,
              );
            // 'stall': never another byte.
          },
        }),
        { status: 200 },
      );
    };
    const events: RegistryEvent[] = [];
    const pulled = (await pullArtifact(`${reg.host}/app:1`, {
      ...opts(reg),
      idleTimeoutMs: 200,
      onEvent: (e) => events.push(e),
    })) as Image;
    await drain(pulled);
    mode = 'stall';
    await drain(pulled);
    assert.equal(faults, 2);
    const resumed = events.filter((e) => e.type === 'blob-download-resumed');
    assert.equal(resumed.length, 2);
    assert.deepEqual(
      resumed.map((e) => (e as { offset: number }).offset),
      [30_000, 30_000],
    );
    assert.ok(reg.log.some((l) => l.status === 206));
    assert.match((resumed[1] as { message: string }).message, /stalled/);
  });
});
