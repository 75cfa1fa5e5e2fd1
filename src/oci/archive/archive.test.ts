import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pack } from 'tar-stream';
import { gzipLayer, tarOf, testImage } from '../../../test/helpers/images.ts';
import { createImage } from '../build.ts';
import { digestHex, sha256 } from '../digest.ts';
import type { Image } from '../image.ts';
import { MediaTypes } from '../media-types.ts';
import { validate } from '../validate.ts';
import { readArchiveManifest, readDockerArchive, sameRepoTag, writeDockerArchive } from './index.ts';

async function tmp(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'distill-archive-'));
  t.after(() => rm(d, { recursive: true, force: true }));
  return d;
}

async function readAll(s: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function tarFile(path: string, files: Record<string, string | Buffer>): Promise<void> {
  const p = pack();
  for (const [name, content] of Object.entries(files)) p.entry({ name }, content);
  p.finalize();
  await writeFile(path, await readAll(p));
}

test('an image round-trips through a docker archive with uncompressed layers named by diffID', async (t) => {
  const file = join(await tmp(t), 'img.tar');
  const img = await testImage([{ 'a.txt': 'a' }, { 'b/c.txt': 'c' }]);
  const { manifest } = await writeDockerArchive(file, [
    { artifact: img, tags: ['example.com/app:1', 'app'] },
  ]);
  assert.deepEqual(Object.keys(manifest[0] ?? {}), ['Config', 'RepoTags', 'Layers']);
  assert.deepEqual(manifest[0]?.RepoTags, ['example.com/app:1', 'app:latest']);
  assert.deepEqual(
    manifest[0]?.Layers,
    img.layers.map((l) => `${digestHex(l.diffId)}.tar`),
  );
  // GNU tar, an independent reader, sees the same entries and can extract the layers.
  const listing = execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n');
  assert.ok(listing.includes('manifest.json') && listing.includes('repositories'));
  assert.ok(listing.includes(`${digestHex(img.manifest.config.digest)}.json`));
  const layerTar = execFileSync('tar', ['-xOf', file, manifest[0]?.Layers[0] ?? '']);
  assert.equal(sha256(layerTar), img.layers[0]?.diffId);
  const repositories = JSON.parse(execFileSync('tar', ['-xOf', file, 'repositories'], { encoding: 'utf8' }));
  assert.deepEqual(Object.keys(repositories).sort(), ['app', 'example.com/app']);

  const back = await readDockerArchive(file);
  await validate(back, { deep: true });
  assert.equal(back.manifest.config.digest, img.manifest.config.digest);
  assert.deepEqual(
    back.layers.map((l) => [l.descriptor.digest, l.descriptor.mediaType, l.uncompressedSize]),
    img.layers.map((l) => [l.diffId, MediaTypes.ociLayer, l.uncompressedSize]),
  );
  assert.deepEqual(await readdir(join(file, '..')), ['img.tar']);
});

test("with layers 'as-stored' the archive keeps gzip blobs and the manifest digest survives", async (t) => {
  const file = join(await tmp(t), 'img.tar');
  const img = await testImage([{ 'a.txt': 'a' }]);
  await writeDockerArchive(file, [{ artifact: img, tags: ['x:1'] }], { layers: 'as-stored' });
  const back = await readDockerArchive(file, { tag: 'x:1' });
  await validate(back, { deep: true });
  assert.equal(back.descriptor.digest, img.descriptor.digest);
});

test('a multi-image archive is read by tag (short and long names) or by position', async (t) => {
  const file = join(await tmp(t), 'two.tar');
  const a = await testImage([{ a: 'a' }]);
  const b = await testImage([{ b: 'b' }]);
  await writeDockerArchive(file, [
    { artifact: a, tags: ['busybox:1'] },
    { artifact: b, tags: ['docker.io/library/busybox:2'] },
  ]);
  assert.equal((await readArchiveManifest(file)).length, 2);
  assert.equal(
    (await readDockerArchive(file, { tag: 'docker.io/library/busybox:1' })).manifest.config.digest,
    a.manifest.config.digest,
  );
  assert.equal(
    (await readDockerArchive(file, { tag: 'busybox:2' })).manifest.config.digest,
    b.manifest.config.digest,
  );
  assert.equal(
    (await readDockerArchive(file, { index: 1 })).manifest.config.digest,
    b.manifest.config.digest,
  );
  await assert.rejects(readDockerArchive(file), { code: 'OCI_REF_AMBIGUOUS' });
  await assert.rejects(readDockerArchive(file, { tag: 'busybox' }), { code: 'OCI_REF_NOT_FOUND' });
  assert.ok(sameRepoTag('busybox', 'index.docker.io/library/busybox:latest'));
  assert.ok(!sameRepoTag('x/busybox', 'busybox'));
});

test('a truncated archive fails with OCI_ARCHIVE_TRUNCATED wherever it is cut', async (t) => {
  const dir = await tmp(t);
  const file = join(dir, 'img.tar');
  await writeDockerArchive(file, [{ artifact: await testImage([{ big: 'x'.repeat(5000) }]), tags: ['t'] }]);
  const whole = await readFile(file);
  for (const cut of [
    100,
    512,
    2048,
    Math.floor(whole.length / 2),
    whole.length - 1024,
    whole.length - 1500,
  ]) {
    const p = join(dir, `cut-${cut}.tar`);
    await writeFile(p, whole.subarray(0, cut));
    await assert.rejects(readDockerArchive(p), { code: 'OCI_ARCHIVE_TRUNCATED' }, `cut at ${cut}`);
  }
  await truncate(file, 0);
  await assert.rejects(readDockerArchive(file), { code: 'OCI_ARCHIVE_TRUNCATED' });
});

test('bad archives: manifest.json not JSON, no manifest.json, corrupted layer, wrong config', async (t) => {
  const dir = await tmp(t);
  const p = join(dir, 'bad.tar');
  await tarFile(p, { 'manifest.json': '[{"Config": ' });
  await assert.rejects(readDockerArchive(p), { code: 'OCI_JSON_INVALID' });
  await tarFile(p, { 'x.json': '{}' });
  await assert.rejects(readDockerArchive(p), { code: 'OCI_ARCHIVE_INVALID' });
  await writeFile(p, 'not a tar at all'.repeat(64));
  await assert.rejects(readDockerArchive(p), { code: 'OCI_ARCHIVE_INVALID' });
  await tarFile(p, {
    'manifest.json': '[{"Config":"c.json","RepoTags":[],"Layers":["missing.tar"]}]',
    'c.json': '{}',
  });
  await assert.rejects(readDockerArchive(p), { code: 'OCI_CONFIG_INVALID' });

  // Flip a byte inside the stored layer: reading the image works, opening the layer fails.
  const img = await testImage([{ 'a.txt': 'aaaaaaaa' }]);
  const file = join(dir, 'img.tar');
  const { manifest } = await writeDockerArchive(file, [{ artifact: img }]);
  const bytes = await readFile(file);
  const at = bytes.indexOf(Buffer.from('aaaaaaaa'));
  bytes[at] = 0x62;
  await writeFile(file, bytes);
  const back = await readDockerArchive(file);
  await assert.rejects(async () => readAll(await (back.layers[0] as Image['layers'][number]).open()), {
    code: 'OCI_DIGEST_MISMATCH',
  });
  // A config whose name says another digest.
  const cfgName = manifest[0]?.Config ?? '';
  await tarFile(p, {
    'manifest.json': JSON.stringify([{ Config: cfgName, RepoTags: [], Layers: [] }]),
    [cfgName]: '{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":[]}}',
  });
  await assert.rejects(readDockerArchive(p), { code: 'OCI_DIGEST_MISMATCH' });
});

test('a Docker 25 style archive (OCI layout inside, blobs/sha256 names) is read through manifest.json', async (t) => {
  const p = join(await tmp(t), 'new.tar');
  const layerTar = await tarOf({ 'etc/hostname': 'x\n' });
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'arm64',
      variant: 'v8',
      os: 'linux',
      config: { Entrypoint: ['/x'] },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    }),
  );
  const ch = digestHex(sha256(config));
  const lh = digestHex(sha256(layerTar));
  await tarFile(p, {
    'oci-layout': '{"imageLayoutVersion":"1.0.0"}',
    'index.json': '{"schemaVersion":2,"manifests":[]}',
    [`blobs/sha256/${ch}`]: config,
    [`blobs/sha256/${lh}`]: layerTar,
    'manifest.json': JSON.stringify([
      { Config: `blobs/sha256/${ch}`, RepoTags: ['new:1'], Layers: [`blobs/sha256/${lh}`], LayerSources: {} },
    ]),
  });
  const img = await readDockerArchive(p, { tag: 'new:1' });
  await validate(img, { deep: true });
  assert.equal(img.descriptor.platform?.architecture, 'arm64');
  assert.equal(img.layers[0]?.descriptor.digest, sha256(layerTar));
});

test('nothing is written at the output path when a layer is broken, and an old file stays whole', async (t) => {
  const dir = await tmp(t);
  const file = join(dir, 'out.tar');
  const img = await testImage();
  const other = await gzipLayer({ q: 'q' });
  const lying = createImage({
    config: { ...img.config },
    layers: [{ ...other, diffId: img.layers[0]?.diffId ?? other.diffId }],
  });
  await assert.rejects(writeDockerArchive(file, [{ artifact: lying }]), { code: 'OCI_DIGEST_MISMATCH' });
  assert.deepEqual(await readdir(dir), []);
  await writeFile(file, 'old');
  await assert.rejects(writeDockerArchive(file, [{ artifact: lying }]), { code: 'OCI_DIGEST_MISMATCH' });
  assert.deepEqual(await readdir(dir), ['out.tar']);
  assert.equal(await readFile(file, 'utf8'), 'old');
  await assert.rejects(writeDockerArchive(file, [{ artifact: img, tags: ['Bad Name'] }]), {
    code: 'IMAGE_REF_INVALID',
  });
});

test('a multi-platform index cannot go into a docker archive; a one-image index can', async (t) => {
  const dir = await tmp(t);
  const { testIndex } = await import('../../../test/helpers/images.ts');
  const { createIndex } = await import('../build.ts');
  await assert.rejects(writeDockerArchive(join(dir, 'a.tar'), [{ artifact: await testIndex() }]), {
    code: 'OCI_PLATFORM_INVALID',
  });
  assert.deepEqual(await readdir(dir), []);
  const one = await testImage();
  await writeDockerArchive(join(dir, 'b.tar'), [{ artifact: createIndex([one]) }]);
  assert.equal(
    (await readDockerArchive(join(dir, 'b.tar'))).manifest.config.digest,
    one.manifest.config.digest,
  );
});
