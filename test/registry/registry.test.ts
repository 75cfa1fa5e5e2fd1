/**
 * distill's registry client against the real CNCF distribution registry (docker-registry), with
 * skopeo and the Docker engine as independent readers of what was pushed.
 */

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it, type TestContext } from 'node:test';
import type { Artifact, Image, Index } from '../../src/oci/index.ts';
import { parsePlatform, validate } from '../../src/oci/index.ts';
import { REGISTRY_RETRY } from '../../src/platform/index.ts';
import { isRegistryError, pullArtifact, pushArtifact, type RegistryEvent } from '../../src/registry/index.ts';
import { requireDocker, requireTool, run, runOk, tempDir } from '../helpers/tools.ts';
import { startFaultProxy } from './fault-proxy.ts';
import { diskImage, diskLayer, smallImage, twoPlatformIndex } from './fixtures.ts';
import { startRegistry } from './registry-server.ts';

const fast = { policy: { ...REGISTRY_RETRY, backoff: [50, 150] }, idleTimeoutMs: 5000 };

function needRegistry(t: TestContext): boolean {
  return requireTool(t, 'docker-registry', 'docker-registry');
}

/** The exact manifest bytes skopeo reads (as a Buffer: a string round trip could change them). */
function skopeoRaw(host: string, ref: string): Buffer {
  const r = spawnSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${host}/${ref}`], {
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`skopeo inspect ${ref}: ${r.stderr}`);
  return r.stdout;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function readAllBlobs(a: Artifact): Promise<void> {
  await validate(a, { deep: true });
}

describe('registry client against docker-registry', () => {
  it('pushes an image and a two-platform index that skopeo and docker read with the same digests', async (t) => {
    if (!needRegistry(t) || !requireTool(t, 'skopeo', 'skopeo')) return;
    const reg = await startRegistry(t);
    const dir = await tempDir(t);
    const img = await smallImage(dir);
    const idx = await twoPlatformIndex(dir);
    const r1 = await pushArtifact(img, `${reg.host}/e2e/app:v1`, fast);
    const r2 = await pushArtifact(idx, `${reg.host}/e2e/multi:v1`, fast);
    assert.equal(r1.digest, img.descriptor.digest);
    assert.equal(r2.digest, idx.descriptor.digest);
    assert.equal(sha(skopeoRaw(reg.host, 'e2e/app:v1')), img.descriptor.digest);
    const rawIdx = skopeoRaw(reg.host, 'e2e/multi:v1');
    assert.equal(sha(rawIdx), idx.descriptor.digest);
    assert.deepEqual(rawIdx, idx.rawManifest);
    for (const c of idx.children)
      assert.equal(sha(skopeoRaw(reg.host, `e2e/multi@${c.descriptor.digest}`)), c.descriptor.digest);

    if (!requireDocker(t)) return;
    for (const [ref, digest] of [
      [`${reg.host}/e2e/app:v1`, img.descriptor.digest],
      [`${reg.host}/e2e/multi:v1`, idx.descriptor.digest],
    ] as const) {
      runOk('docker', ['pull', '--platform', 'linux/amd64', ref]);
      t.after(() => void run('docker', ['rmi', '-f', ref]));
      const digests = JSON.parse(
        runOk('docker', ['image', 'inspect', '--format', '{{json .RepoDigests}}', ref]),
      ) as string[];
      assert.ok(digests.includes(`${ref.replace(/:v1$/, '')}@${digest}`), `${ref}: ${digests.join(' ')}`);
    }
  });

  it('a second push of the same image uploads no blob: only HEADs (counted at a proxy)', async (t) => {
    if (!needRegistry(t)) return;
    const reg = await startRegistry(t);
    const proxy = await startFaultProxy(t, reg.host);
    const dir = await tempDir(t);
    const idx = await twoPlatformIndex(dir);
    await pushArtifact(idx, `${proxy.host}/e2e/again:v1`, fast);
    const firstUploads = proxy.count('POST', '/blobs/uploads/');
    assert.equal(firstUploads, 5, 'shared base layer once, two unique layers, two configs');
    const before = proxy.records.length;
    const r = await pushArtifact(idx, `${proxy.host}/e2e/again:v1`, fast);
    const second = proxy.records.slice(before);
    const methods = second.map((x) => x.method);
    assert.deepEqual(r.blobs, { existing: 5, mounted: 0, uploaded: 0, uploadedBytes: 0 });
    assert.deepEqual(r.manifests, { existing: 3, pushed: 0 });
    assert.equal(methods.filter((m) => m === 'HEAD').length, 5 + 3);
    assert.deepEqual(
      second.filter((x) => x.method !== 'HEAD').map((x) => `${x.method} ${x.path}`),
      ['GET /v2/'],
      'nothing but HEADs after the ping',
    );
    t.diagnostic(
      `first push: ${before} requests (${firstUploads} uploads); second: ${second.length} requests, ${methods.filter((m) => m === 'HEAD').length} HEADs, 0 uploads`,
    );
  });

  it('mounts blobs across repositories (POST answers 201) and streams big layers in chunks', async (t) => {
    if (!needRegistry(t)) return;
    const reg = await startRegistry(t);
    const proxy = await startFaultProxy(t, reg.host);
    const dir = await tempDir(t);
    const big = await diskLayer(dir, { 'big.bin': randomBytes(3 * 1024 * 1024) });
    const base = await diskImage([big]);
    const events: RegistryEvent[] = [];
    await pushArtifact(base, `${proxy.host}/e2e/base:1`, {
      ...fast,
      chunkThreshold: 1024 * 1024,
      chunkSize: 1024 * 1024,
      onEvent: (e) => events.push(e),
    });
    const chunkPatches = proxy.count('PATCH');
    assert.equal(
      chunkPatches,
      4 + 1,
      'big layer in 4 chunks of 1 MiB (3 MiB of random data + tar/gzip overhead), the config in one',
    );
    assert.ok(events.some((e) => e.type === 'blob-upload-start' && e.chunked));
    const app = await smallImage(dir, big);
    const before = proxy.records.length;
    const r = await pushArtifact(app, `${proxy.host}/e2e/app:1`, { ...fast, mountFrom: ['e2e/base'] });
    assert.equal(r.blobs.mounted, 1);
    const mounts = proxy.records
      .slice(before)
      .filter((x) => x.method === 'POST' && x.path.includes('mount='));
    // The shared layer is mounted (201); for the config and the new layer the registry answers
    // the mount with an upload session (202), which is used as it is: no second POST.
    assert.deepEqual(mounts.map((m) => m.status).sort(), [201, 202, 202]);
    assert.equal(proxy.records.slice(before).filter((x) => x.method === 'POST').length, 3);
    await readAllBlobs(await pullArtifact(`${reg.host}/e2e/app:1`, fast));
  });

  it('pulls an index whole or one platform, verifying every digest, and rejects a tampered manifest', async (t) => {
    if (!needRegistry(t)) return;
    const reg = await startRegistry(t);
    const proxy = await startFaultProxy(t, reg.host);
    const dir = await tempDir(t);
    const idx = await twoPlatformIndex(dir);
    await pushArtifact(idx, `${reg.host}/e2e/pull:v1`, fast);
    const whole = (await pullArtifact(`${reg.host}/e2e/pull:v1`, fast)) as Index;
    assert.equal(whole.descriptor.digest, idx.descriptor.digest);
    await readAllBlobs(whole);
    const arm = (await pullArtifact(`${reg.host}/e2e/pull:v1`, {
      ...fast,
      platform: parsePlatform('linux/arm64'),
    })) as Image;
    assert.equal(arm.descriptor.digest, idx.children[1]?.descriptor.digest);
    assert.equal(arm.config.architecture, 'arm64');
    await readAllBlobs(arm);
    // The proxy changes one byte of the arm64 manifest: pulling the index must refuse it.
    const armDigest = idx.children[1]?.descriptor.digest as string;
    proxy.plan = (req) =>
      req.method === 'GET' && req.url?.endsWith(`/manifests/${armDigest}`)
        ? {
            kind: 'rewrite',
            fn: (b) => Buffer.from(b.toString().replace('"schemaVersion":2', '"schemaVersion": 2')),
          }
        : undefined;
    await assert.rejects(pullArtifact(`${proxy.host}/e2e/pull:v1`, fast), (e) =>
      isRegistryError(e, 'REGISTRY_DIGEST_MISMATCH'),
    );
    await assert.rejects(pullArtifact(`${proxy.host}/e2e/pull@${armDigest}`, fast), (e) =>
      isRegistryError(e, 'REGISTRY_DIGEST_MISMATCH'),
    );
    await assert.rejects(
      pullArtifact(`${reg.host}/e2e/pull:v1`, { ...fast, platform: parsePlatform('linux/riscv64') }),
      (e) => isRegistryError(e, 'REGISTRY_PLATFORM_NOT_FOUND'),
    );
    await assert.rejects(pullArtifact(`${reg.host}/e2e/nothing:v1`, fast), (e) =>
      isRegistryError(e, 'REGISTRY_NOT_FOUND'),
    );
  });
});
