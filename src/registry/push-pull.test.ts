import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sha256 } from '../oci/digest.ts';
import type { Artifact } from '../oci/image.ts';
import { parsePlatform } from '../oci/platform.ts';
import { validate } from '../oci/validate.ts';
import { isRegistryError } from './errors.ts';
import type { RegistryEvent } from './events.ts';
import { pullArtifact } from './pull.ts';
import { pushArtifact } from './push.ts';
import { FakeRegistry } from './testing/fake-registry.ts';
import { randomLayer, testImage, testIndex } from './testing/images.ts';
import { fakeOptions } from './testing/options.ts';

const opts = fakeOptions;

async function readAll(a: Artifact): Promise<void> {
  await validate(a, {});
  const imgs = a.kind === 'image' ? [a] : a.children.filter((c) => c.kind === 'image');
  for (const img of imgs) for (const l of img.layers) for await (const _ of await l.open());
}

describe('push and pull against the fake registry', () => {
  it('pushes an image, and a second push only HEADs', async () => {
    const reg = new FakeRegistry();
    const img = testImage();
    const events: RegistryEvent[] = [];
    const r = await pushArtifact(img, `${reg.host}/app:1`, { ...opts(reg), onEvent: (e) => events.push(e) });
    assert.equal(r.digest, img.descriptor.digest);
    assert.deepEqual(r.blobs, { existing: 0, mounted: 0, uploaded: 3, uploadedBytes: r.blobs.uploadedBytes });
    assert.equal(reg.repo('app').tags.get('1'), img.descriptor.digest);
    assert.ok(events.some((e) => e.type === 'blob-uploaded'));
    const before = reg.log.length;
    const again = await pushArtifact(img, `${reg.host}/app:1`, opts(reg));
    const second = reg.log.slice(before);
    assert.deepEqual(again.blobs, { existing: 3, mounted: 0, uploaded: 0, uploadedBytes: 0 });
    assert.deepEqual([...new Set(second.map((l) => l.method))].sort(), ['GET', 'HEAD']); // GET is the ping
    assert.equal(second.filter((l) => l.method === 'HEAD').length, 4);
  });

  it('pushes an index children first and the tag last; pulls it back, whole and by platform', async () => {
    const reg = new FakeRegistry();
    const idx = testIndex();
    await pushArtifact(idx, `${reg.host}/multi:v1`, opts(reg));
    const puts = reg.log
      .filter((l) => l.method === 'PUT' && l.path.includes('/manifests/'))
      .map((l) => l.path);
    assert.equal(puts.length, 3);
    assert.match(puts[0] as string, /manifests\/sha256:/);
    assert.match(puts[2] as string, /manifests\/v1$/);
    const firstManifestPut = reg.log.findIndex((l) => l.method === 'PUT' && l.path.includes('/manifests/'));
    assert.ok(reg.log.slice(firstManifestPut).every((l) => !l.path.includes('/blobs/uploads')));

    const whole = await pullArtifact(`${reg.host}/multi:v1`, opts(reg));
    assert.equal(whole.descriptor.digest, idx.descriptor.digest);
    assert.equal(whole.kind, 'index');
    await readAll(whole);
    const arm = await pullArtifact(`${reg.host}/multi:v1`, {
      ...opts(reg),
      platform: parsePlatform('linux/arm64'),
    });
    assert.equal(arm.kind, 'image');
    assert.equal(arm.descriptor.digest, idx.children[1]?.descriptor.digest);
    await assert.rejects(
      pullArtifact(`${reg.host}/multi:v1`, { ...opts(reg), platform: parsePlatform('linux/s390x') }),
      (e) => isRegistryError(e, 'REGISTRY_PLATFORM_NOT_FOUND') && /linux\/amd64/.test(e.message),
    );
    const byDigest = await pullArtifact(`${reg.host}/multi@${idx.descriptor.digest}`, opts(reg));
    assert.equal(byDigest.descriptor.digest, idx.descriptor.digest);
  });

  it('uploads large blobs in chunks with Content-Range and small ones in one PATCH', async () => {
    const reg = new FakeRegistry();
    const img = testImage({ layers: [randomLayer(10_000), randomLayer(100)] });
    await pushArtifact(img, `${reg.host}/chunks:1`, { ...opts(reg), chunkThreshold: 4096, chunkSize: 4096 });
    assert.equal(reg.count('PATCH'), 3 + 1 + 1); // 10000 bytes in 3 chunks; the small layer and config once each
    await readAll(await pullArtifact(`${reg.host}/chunks:1`, opts(reg)));
  });

  it('mounts blobs from another repository (POST 201) and falls back when the mount is refused', async () => {
    const reg = new FakeRegistry();
    const base = testImage();
    await pushArtifact(base, `${reg.host}/base:1`, opts(reg));
    const app = testImage({ layers: [...base.layers, randomLayer(300)] });
    const events: RegistryEvent[] = [];
    const r = await pushArtifact(app, `${reg.host}/app:1`, {
      ...opts(reg),
      mountFrom: ['base'],
      onEvent: (e) => events.push(e),
    });
    assert.equal(r.blobs.mounted, 2);
    assert.equal(
      reg.log.filter((l) => l.method === 'POST' && l.path.includes('mount=') && l.status === 201).length,
      2,
    );
    assert.equal(events.filter((e) => e.type === 'blob-mounted').length, 2);
    // Refused mount (the source lacks the blob for real): an ordinary upload follows.
    const reg2 = new FakeRegistry();
    await pushArtifact(base, `${reg2.host}/base:1`, opts(reg2));
    reg2.intercept = (req, url) =>
      req.method === 'POST' && url.searchParams.has('mount')
        ? new Response('{"errors":[{"code":"DENIED","message":"no"}]}', { status: 401 })
        : undefined;
    const r2 = await pushArtifact(app, `${reg2.host}/app:1`, { ...opts(reg2), mountFrom: ['base'] });
    assert.equal(r2.blobs.mounted, 0);
    assert.equal(r2.blobs.uploaded, 4);
  });

  it('docker schema2 media types go up with their Content-Type', async () => {
    const reg = new FakeRegistry();
    const img = testImage({ format: 'docker' });
    await pushArtifact(img, `${reg.host}/d:1`, opts(reg));
    assert.equal(reg.repo('d').manifests.get(img.descriptor.digest)?.mediaType, img.descriptor.mediaType);
    const back = await pullArtifact(`${reg.host}/d:1`, opts(reg));
    assert.equal(back.descriptor.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  });

  it('rejects a manifest whose bytes do not match the digest asked for, and a tampered blob', async () => {
    const reg = new FakeRegistry();
    const idx = testIndex();
    await pushArtifact(idx, `${reg.host}/t:1`, opts(reg));
    const child = idx.children[0] as Artifact;
    const stored = reg.repo('t').manifests.get(child.descriptor.digest);
    assert.ok(stored);
    stored.raw = Buffer.from(stored.raw.toString().replace('"schemaVersion":2', '"schemaVersion": 2'));
    await assert.rejects(pullArtifact(`${reg.host}/t:1`, opts(reg)), (e) =>
      isRegistryError(e, 'REGISTRY_DIGEST_MISMATCH'),
    );
    await assert.rejects(pullArtifact(`${reg.host}/t@${child.descriptor.digest}`, opts(reg)), (e) =>
      isRegistryError(e, 'REGISTRY_DIGEST_MISMATCH'),
    );
    // A blob whose bytes changed in storage fails when read.
    const img = testImage();
    await pushArtifact(img, `${reg.host}/b:1`, opts(reg));
    const d = img.layers[0]?.descriptor.digest as string;
    const tampered = Buffer.from(reg.blobs.get(d) as Buffer);
    tampered[10] = (tampered[10] as number) ^ 0xff; // always a different byte (the layer bytes are random)
    reg.blobs.set(d, tampered);
    const back = await pullArtifact(`${reg.host}/b:1`, opts(reg));
    await assert.rejects(readAll(back), (e) => isRegistryError(e, 'REGISTRY_DIGEST_MISMATCH'));
  });

  it('a missing tag is REGISTRY_NOT_FOUND naming the reference', async () => {
    const reg = new FakeRegistry();
    await assert.rejects(
      pullArtifact(`${reg.host}/none:1`, opts(reg)),
      (e) => isRegistryError(e, 'REGISTRY_NOT_FOUND') && e.message.includes(`${reg.host}/none:1`),
    );
  });

  it('refuses to push to a digest reference naming something else', async () => {
    const reg = new FakeRegistry();
    await assert.rejects(pushArtifact(testImage(), `${reg.host}/x@${sha256('other')}`, opts(reg)), (e) =>
      isRegistryError(e, 'REGISTRY_DIGEST_MISMATCH'),
    );
    assert.equal(reg.log.length, 0);
  });
});
