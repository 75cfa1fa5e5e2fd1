import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { testImage, testIndex } from '../../test/helpers/images.ts';
import type { Image } from './index.ts';
import { inspectArtifact } from './inspect.ts';

test('reports config, layers and totals; measures uncompressed sizes the source does not know', async () => {
  const img = await testImage([{ a: 'a'.repeat(3000) }, { b: 'b' }], { cmd: ['/bin/x'], labels: { k: 'v' } });
  const unknown: Image = { ...img, layers: img.layers.map(({ uncompressedSize: _u, ...l }) => l) };
  const r = await inspectArtifact('ref', unknown);
  assert.deepEqual(r.platforms, ['linux/amd64']);
  const i = r.images[0];
  assert.ok(i);
  assert.deepEqual(i.config.cmd, ['/bin/x']);
  assert.deepEqual(i.config.labels, { k: 'v' });
  assert.deepEqual(
    i.layers.map((l) => [l.uncompressedSize, l.uncompressedSizeFrom]),
    img.layers.map((l) => [l.uncompressedSize, 'measured']),
  );
  assert.equal(
    i.totals.size,
    img.layers.reduce((n, l) => n + l.descriptor.size, 0),
  );
  const fast = await inspectArtifact('ref', unknown, { measure: false });
  assert.equal(fast.images[0]?.totals.uncompressedSize, null);
  const known = await inspectArtifact('ref', img);
  assert.equal(known.images[0]?.layers[0]?.uncompressedSizeFrom, 'source');
});

test('an index lists its platforms; --platform picks one, or fails with OCI_PLATFORM_NOT_FOUND', async () => {
  const idx = await testIndex();
  const all = await inspectArtifact('ref', idx);
  assert.deepEqual(all.platforms, ['linux/amd64', 'linux/arm64/v8']);
  assert.equal(all.images.length, 2);
  const arm = await inspectArtifact('ref', idx, { platform: 'linux/arm64' });
  assert.deepEqual(
    arm.images.map((i) => i.platform),
    ['linux/arm64/v8'],
  );
  await assert.rejects(inspectArtifact('ref', idx, { platform: 'linux/s390x' }), {
    code: 'OCI_PLATFORM_NOT_FOUND',
  });
});

test('a layer labelled gzip that holds a plain tar is still measured', async () => {
  const img = await testImage();
  const l = img.layers[0];
  assert.ok(l);
  const gz: Buffer[] = [];
  for await (const c of await l.open()) gz.push(c as Buffer);
  const plain = gunzipSync(Buffer.concat(gz));
  const { uncompressedSize: _u, ...rest } = l;
  const mislabelled: Image = { ...img, layers: [{ ...rest, open: async () => Readable.from([plain]) }] };
  const r = await inspectArtifact('ref', mislabelled);
  assert.equal(r.images[0]?.layers[0]?.uncompressedSize, plain.length);
});
