import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { testImage, testIndex } from '../../../test/helpers/images.ts';
import { openFileHashes } from '../../files/index.ts';
import { digestHex } from '../digest.ts';
import type { Image } from '../image.ts';
import { REF_NAME_ANNOTATION } from '../types.ts';
import { validate } from '../validate.ts';
import { readLayout, readLayoutIndex, writeLayout } from './index.ts';

function first<T>(a: readonly T[]): T {
  const x = a[0];
  assert.ok(x !== undefined);
  return x;
}

async function tmp(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'distill-layout-'));
  t.after(() => rm(d, { recursive: true, force: true }));
  return d;
}

async function readAll(s: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

test('an image round-trips through a layout with the same digests', async (t) => {
  const dir = join(await tmp(t), 'out');
  const img = await testImage([{ 'a.txt': 'a' }, { 'b/c.txt': 'c' }]);
  await validate(img, { deep: true });
  const r = await writeLayout(dir, [{ artifact: img, tag: 'v1' }]);
  assert.equal(r.created, true);
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8')), {
    imageLayoutVersion: '1.0.0',
  });
  const back = await readLayout(dir, 'v1');
  assert.equal(back.kind, 'image');
  assert.equal(back.descriptor.digest, img.descriptor.digest);
  assert.equal(back.descriptor.annotations?.[REF_NAME_ANNOTATION], 'v1');
  await validate(back, { deep: true });
  assert.deepEqual(
    (back as Image).layers.map((l) => l.diffId),
    img.layers.map((l) => l.diffId),
  );
  // Without a tag, the only manifest is taken.
  assert.equal((await readLayout(dir)).descriptor.digest, img.descriptor.digest);
  // Nothing but the layout was left beside it, and it has the mode of any new directory.
  assert.deepEqual(await readdir(join(dir, '..')), ['out']);
  await mkdir(join(dir, '..', 'plain'));
  assert.equal((await stat(dir)).mode, (await stat(join(dir, '..', 'plain'))).mode);
});

test('a multi-platform index is written as the artifact itself and read back whole', async (t) => {
  const dir = join(await tmp(t), 'idx');
  const idx = await testIndex();
  await writeLayout(dir, [{ artifact: idx, tag: 'multi' }]);
  const top = await readLayoutIndex(dir);
  assert.equal(top.manifests.length, 1);
  assert.equal(top.manifests[0]?.digest, idx.descriptor.digest);
  assert.equal(top.manifests[0]?.mediaType, 'application/vnd.oci.image.index.v1+json');
  const back = await readLayout(dir, 'multi');
  assert.equal(back.kind, 'index');
  if (back.kind !== 'index') return;
  assert.deepEqual(
    back.children.map((c) => c.descriptor.platform?.architecture),
    ['amd64', 'arm64'],
  );
  await validate(back, { deep: true });
});

test('writing into an existing layout adds or replaces a tag and keeps the others', async (t) => {
  const dir = join(await tmp(t), 'l');
  const a = await testImage([{ 'a.txt': 'a' }]);
  const b = await testImage([{ 'b.txt': 'b' }]);
  const c = await testImage([{ 'c.txt': 'c' }]);
  await writeLayout(dir, [
    { artifact: a, tag: 'a' },
    { artifact: b, tag: 'b' },
  ]);
  const events: string[] = [];
  const r = await writeLayout(
    dir,
    [
      { artifact: c, tag: 'b' },
      { artifact: a, tag: 'again' },
    ],
    {
      onEvent: (e) => events.push(e.type),
    },
  );
  assert.equal(r.created, false);
  const names = (await readLayoutIndex(dir)).manifests.map((m) => [
    m.annotations?.[REF_NAME_ANNOTATION],
    m.digest,
  ]);
  assert.deepEqual(names, [
    ['a', a.descriptor.digest],
    ['b', c.descriptor.digest],
    ['again', a.descriptor.digest],
  ]);
  // a's blobs were present and intact, so they were skipped.
  assert.ok(events.includes('blob-skipped'));
  assert.equal((await readLayout(dir, 'b')).descriptor.digest, c.descriptor.digest);
  await assert.rejects(readLayout(dir), { code: 'OCI_REF_AMBIGUOUS' });
  await assert.rejects(readLayout(dir, 'nope'), { code: 'OCI_REF_NOT_FOUND' });
  assert.ok(!(await readdir(dir)).some((n) => n.includes('tmp') || n.endsWith('.lock')));
});

test('a corrupted layer blob fails with OCI_DIGEST_MISMATCH when it is read', async (t) => {
  const dir = join(await tmp(t), 'l');
  const img = await testImage();
  await writeLayout(dir, [{ artifact: img, tag: 'x' }]);
  const layer = img.layers[0];
  assert.ok(layer);
  const p = join(dir, 'blobs', 'sha256', digestHex(layer.descriptor.digest));
  const bytes = await readFile(p);
  bytes[bytes.length - 5] = (bytes[bytes.length - 5] ?? 0) ^ 0xff;
  await writeFile(p, bytes);
  const back = (await readLayout(dir, 'x')) as Image;
  await assert.rejects(async () => readAll(await first(back.layers).open()), { code: 'OCI_DIGEST_MISMATCH' });
});

test('a corrupted config or manifest fails with OCI_DIGEST_MISMATCH when the image is read', async (t) => {
  const dir = join(await tmp(t), 'l');
  const img = await testImage();
  await writeLayout(dir, [{ artifact: img, tag: 'x' }]);
  const p = join(dir, 'blobs', 'sha256', digestHex(img.manifest.config.digest));
  await writeFile(p, (await readFile(p, 'utf8')).replace('amd64', 'arm64'));
  await assert.rejects(readLayout(dir, 'x'), { code: 'OCI_DIGEST_MISMATCH' });
});

test('bad layouts: index.json not JSON, missing blob, not a layout', async (t) => {
  const root = await tmp(t);
  const dir = join(root, 'l');
  const img = await testImage();
  await writeLayout(dir, [{ artifact: img, tag: 'x' }]);
  await rm(join(dir, 'blobs', 'sha256', digestHex(first(img.layers).descriptor.digest)));
  await assert.rejects(readLayout(dir, 'x'), { code: 'OCI_BLOB_MISSING' });
  await writeFile(join(dir, 'index.json'), '{"schemaVersion": 2, manifests');
  await assert.rejects(readLayout(dir, 'x'), { code: 'OCI_JSON_INVALID' });
  // Writing into a layout whose index.json is broken changes nothing.
  const before = await readdir(join(dir, 'blobs', 'sha256'));
  await assert.rejects(writeLayout(dir, [{ artifact: await testImage([{ z: 'z' }]), tag: 'y' }]), {
    code: 'OCI_JSON_INVALID',
  });
  assert.deepEqual(await readdir(join(dir, 'blobs', 'sha256')), before);
  await assert.rejects(readLayout(root), { code: 'OCI_LAYOUT_INVALID' });
});

test('nothing is written at the output path when a layer cannot be read', async (t) => {
  const root = await tmp(t);
  const img = await testImage();
  const broken: Image = {
    ...img,
    layers: img.layers.map((l) => ({
      ...l,
      open: async () => {
        throw Object.assign(new Error('gone'), { code: 'ENOENT' });
      },
    })),
  };
  await assert.rejects(writeLayout(join(root, 'out'), [{ artifact: broken, tag: 'x' }]), /gone/);
  assert.deepEqual(await readdir(root), []);
  // A layer whose content does not match its descriptor is refused, too.
  const lying: Image = {
    ...img,
    layers: [{ ...first(img.layers), open: first((await testImage([{ q: 'q' }])).layers).open }],
  };
  await assert.rejects(writeLayout(join(root, 'out'), [{ artifact: lying }]), {
    code: /OCI_(DIGEST|SIZE)_MISMATCH/,
  });
  assert.deepEqual(await readdir(root), []);
});

test('a non-empty directory that is not a layout is not overwritten', async (t) => {
  const root = await tmp(t);
  await mkdir(join(root, 'o'));
  await writeFile(join(root, 'o', 'keep'), 'x');
  await assert.rejects(writeLayout(join(root, 'o'), [{ artifact: await testImage() }]), {
    code: 'OUTPUT_EXISTS',
  });
  assert.deepEqual(await readdir(join(root, 'o')), ['keep']);
  await assert.rejects(writeLayout(join(root, 'o'), [{ artifact: await testImage(), tag: 'bad tag' }]), {
    code: 'IMAGE_REF_INVALID',
  });
});

test('concurrent writers of one layout keep every tag', async (t) => {
  const dir = join(await tmp(t), 'l');
  await writeLayout(dir, [{ artifact: await testImage(), tag: 'base' }]);
  const imgs = await Promise.all([1, 2, 3, 4, 5].map((i) => testImage([{ [`f${i}`]: String(i) }])));
  await Promise.all(imgs.map((img, i) => writeLayout(dir, [{ artifact: img, tag: `t${i}` }])));
  const tags = (await readLayoutIndex(dir)).manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION]).sort();
  assert.deepEqual(tags, ['base', 't0', 't1', 't2', 't3', 't4']);
});

test('nested indexes are followed; a manifest that is not JSON and a foreign digest are refused', async (t) => {
  const root = await tmp(t);
  const dir = join(root, 'n');
  const { createIndex } = await import('../build.ts');
  const { sha256 } = await import('../digest.ts');
  const inner = await testIndex();
  const outer = createIndex([inner]);
  await writeLayout(dir, [{ artifact: outer, tag: 'nested' }]);
  const back = await readLayout(dir, 'nested');
  await validate(back, { deep: true });
  assert.ok(back.kind === 'index' && back.children[0]?.kind === 'index');

  const garbage = Buffer.from('this is not json');
  await writeFile(join(dir, 'blobs', 'sha256', digestHex(sha256(garbage))), garbage);
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
  index.manifests = [
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(garbage),
      size: garbage.length,
    },
  ];
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  await assert.rejects(readLayout(dir), { code: 'OCI_JSON_INVALID' });
  index.manifests = [
    { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha512:${'0'.repeat(128)}`, size: 1 },
  ];
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  await assert.rejects(readLayout(dir), { code: 'OCI_DIGEST_INVALID' });
  index.manifests = [
    {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: 'sha256:../../../../etc/passwd',
      size: 1,
    },
  ];
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));
  await assert.rejects(readLayout(dir), { code: 'OCI_DIGEST_INVALID' });
});

test('a lock left by a process that is gone is taken over; a live one times out', async (t) => {
  const dir = join(await tmp(t), 'l');
  await writeLayout(dir, [{ artifact: await testImage(), tag: 'a' }]);
  await writeFile(join(dir, 'index.json.lock'), '999999999');
  await writeLayout(dir, [{ artifact: await testImage([{ b: 'b' }]), tag: 'b' }]);
  assert.equal((await readLayoutIndex(dir)).manifests.length, 2);
  await writeFile(join(dir, 'index.json.lock'), String(process.pid));
  await assert.rejects(
    writeLayout(dir, [{ artifact: await testImage([{ c: 'c' }]), tag: 'c' }], { lockTimeoutMs: 200 }),
    {
      code: 'OCI_LAYOUT_INVALID',
    },
  );
  assert.equal((await readLayoutIndex(dir)).manifests.length, 2);
});

test('a same-size corrupted blob in an existing layout is rewritten, not kept; untouched blobs are not read again', async (t) => {
  const root = await tmp(t);
  const dir = join(root, 'out');
  const img = await testImage([{ 'a.txt': 'a'.repeat(4096) }]);
  const memo = join(root, 'cache');
  let hashes = await openFileHashes(memo, dir);
  await writeLayout(dir, [{ artifact: img, tag: 'v1' }], { hashes });
  await hashes.save();
  const layer = join(dir, 'blobs', 'sha256', digestHex(first(img.layers).descriptor.digest));
  const before = await readFile(layer);

  // Untouched: its stamp is remembered, nothing is read.
  hashes = await openFileHashes(memo, dir);
  await writeLayout(dir, [{ artifact: img, tag: 'v1' }], { hashes });
  assert.equal(hashes.hashed, 0);

  // One byte flipped, same size: found, rewritten, and the layout reads back clean.
  const bad = Buffer.from(before);
  bad[bad.length >> 1] = (bad[bad.length >> 1] as number) ^ 0xff;
  await writeFile(layer, bad);
  for (const h of [await openFileHashes(memo, dir), undefined]) {
    const r = await writeLayout(dir, [{ artifact: img, tag: 'v1' }], h ? { hashes: h } : {});
    assert.equal(r.created, false);
    assert.deepEqual(await readFile(layer), before, 'the corrupted blob was replaced');
    await validate(await readLayout(dir, 'v1'), { deep: true });
    await writeFile(layer, bad);
  }
  assert.deepEqual(
    (await readdir(join(dir, 'blobs', 'sha256'))).filter((n) => n.startsWith('.')),
    [],
    'no temporary file left',
  );
});

test('a layer declared larger than the free disk is refused before a byte is read; an endless stream stops at its declared size', async (t) => {
  const root = await tmp(t);
  const img = await testImage([{ 'a.txt': 'a' }]);
  const layer = first(img.layers);
  let reads = 0;
  async function* endless() {
    for (;;) {
      reads++;
      yield Buffer.alloc(1 << 16);
    }
  }
  const huge = {
    ...img,
    layers: [
      {
        ...layer,
        descriptor: { ...layer.descriptor, size: 2 ** 40 },
        open: async () => Readable.from(endless()),
      },
    ],
  } as Image;
  const dir = join(root, 'out');
  await assert.rejects(writeLayout(dir, [{ artifact: huge }]), { code: 'OUTPUT_NO_SPACE' });
  assert.equal(reads, 0, 'not one chunk was read');
  assert.deepEqual(await readdir(root), [], 'nothing was written');

  // Declared small, streamed forever: cut at the declared size, nothing left behind.
  const liar = {
    ...img,
    layers: [{ ...layer, open: async () => Readable.from(endless()) }],
  } as Image;
  await assert.rejects(writeLayout(dir, [{ artifact: liar }]), { code: 'OCI_SIZE_MISMATCH' });
  assert.ok(reads < 4, `stopped after ${reads} chunks`);
  assert.deepEqual(await readdir(root), [], 'nothing was written');
});

test('an --output that is a symlink (to an empty directory, or dangling) is written through and stays a link', async (t) => {
  const root = await tmp(t);
  const img = await testImage([{ 'a.txt': 'a' }]);
  await mkdir(join(root, 'real'));
  await symlink('real', join(root, 'out'));
  await symlink('later', join(root, 'dangling'));
  for (const [link, target] of [
    ['out', 'real'],
    ['dangling', 'later'],
  ]) {
    await writeLayout(join(root, link as string), [{ artifact: img, tag: 'v1' }]);
    assert.ok((await lstat(join(root, link as string))).isSymbolicLink());
    assert.equal(
      (await readLayout(join(root, target as string), 'v1')).descriptor.digest,
      img.descriptor.digest,
    );
  }
});
