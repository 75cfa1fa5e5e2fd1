import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { testImage } from '../../test/helpers/images.ts';
import { writeDockerArchive } from '../oci/archive/index.ts';
import { validate } from '../oci/index.ts';
import { writeLayout } from '../oci/layout/index.ts';
import { openSource, parseImageRef } from './reference.ts';

test('parses skopeo-style references', () => {
  assert.deepEqual(parseImageRef('oci:out/static'), { transport: 'oci', dir: 'out/static' });
  assert.deepEqual(parseImageRef('oci:/abs/dir:v1.2'), { transport: 'oci', dir: '/abs/dir', tag: 'v1.2' });
  assert.deepEqual(parseImageRef('oci:d:app:1'), { transport: 'oci', dir: 'd', tag: 'app:1' });
  assert.deepEqual(parseImageRef('docker-archive:x.tar'), { transport: 'docker-archive', file: 'x.tar' });
  assert.deepEqual(parseImageRef('docker-archive:x.tar:busybox:1.36'), {
    transport: 'docker-archive',
    file: 'x.tar',
    tag: 'busybox:1.36',
  });
  assert.deepEqual(parseImageRef('docker-archive:x.tar:@1'), {
    transport: 'docker-archive',
    file: 'x.tar',
    index: 1,
  });
  for (const bad of ['oci:', 'oci:dir:', 'docker-archive:', 'docker-archive:x:@-1', 'busybox', 'nope:x']) {
    assert.throws(() => parseImageRef(bad), { code: 'IMAGE_REF_INVALID' }, bad);
  }
});

test('openSource opens layouts and archives', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'distill-ref-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const img = await testImage();
  await writeLayout(join(dir, 'l'), [{ artifact: img, tag: 'v1' }]);
  await writeDockerArchive(join(dir, 'a.tar'), [{ artifact: img, tags: ['app:1'] }]);
  const fromLayout = await openSource(`oci:${dir}/l:v1`);
  assert.equal(fromLayout.descriptor.digest, img.descriptor.digest);
  const fromArchive = await openSource(`docker-archive:${dir}/a.tar:app:1`);
  await validate(fromArchive, { deep: true });
  assert.equal(
    fromArchive.kind === 'image' && fromArchive.manifest.config.digest,
    img.manifest.config.digest,
  );
  await assert.rejects(openSource(`oci:${dir}/l:v2`), { code: 'OCI_REF_NOT_FOUND' });
});
