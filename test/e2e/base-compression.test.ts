/**
 * `distill base --compression zstd[:LEVEL]`: zstd layers with the OCI zstd media type whose
 * uncompressed tars (diff_ids) are exactly those of the gzip build, smaller than gzip's; skopeo
 * reads the layout, docker loads the archive and runs the image. Needs the Debian archive.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildBase, dockerInspect, dockerLoad, dockerRemove, dockerRunOk } from '../helpers/docker.ts';
import { requireDocker, requireTool, runOk, tempDir } from '../helpers/tools.ts';

async function manifestOf(layout: string, digest: string) {
  const m = JSON.parse(await readFile(join(layout, 'blobs', ...digest.split(':')), 'utf8'));
  const c = JSON.parse(await readFile(join(layout, 'blobs', ...m.config.digest.split(':')), 'utf8'));
  return {
    layers: m.layers as Array<{ mediaType: string; size: number }>,
    diffIds: c.rootfs.diff_ids as string[],
  };
}

test('base:debug with zstd:19 layers: same diff_ids as gzip, smaller; skopeo reads it, docker runs it', async (t) => {
  if (!requireTool(t, 'zstd', 'zstd') || !requireTool(t, 'skopeo', 'skopeo') || !requireDocker(t)) return;
  const dir = await tempDir(t, 'distill-e2e-zstd-');
  const gz = await buildBase('base:debug', ['--output', join(dir, 'gz')]);
  const zs = await buildBase('base:debug', [
    '--compression',
    'zstd:19',
    '--output',
    join(dir, 'zs'),
    '--archive',
    join(dir, 'zs.tar'),
    '--tag',
    'distill-e2e/zstd:1',
  ]);
  const a = await manifestOf(join(dir, 'gz'), gz.digest);
  const b = await manifestOf(join(dir, 'zs'), zs.digest);
  assert.ok(a.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip'));
  assert.ok(b.layers.every((l) => l.mediaType === 'application/vnd.oci.image.layer.v1.tar+zstd'));
  assert.deepEqual(b.diffIds, a.diffIds);
  const size = (ls: Array<{ size: number }>) => ls.reduce((n, l) => n + l.size, 0);
  assert.ok(size(b.layers) < size(a.layers), `zstd ${size(b.layers)} < gzip ${size(a.layers)}`);
  t.diagnostic(`base:debug gzip ${size(a.layers)} bytes, zstd:19 ${size(b.layers)} bytes`);

  const inspected = JSON.parse(runOk('skopeo', ['inspect', `oci:${join(dir, 'zs')}`]));
  assert.equal(inspected.Layers.length, b.layers.length);
  t.after(() => dockerRemove(['distill-e2e/zstd:1']));
  assert.deepEqual(await dockerLoad(join(dir, 'zs.tar')), ['distill-e2e/zstd:1']);
  assert.deepEqual(dockerInspect('distill-e2e/zstd:1').RootFS.Layers, a.diffIds);
  assert.match(
    dockerRunOk(['--entrypoint', '/busybox/sh', 'distill-e2e/zstd:1', '-c', 'ls /etc/ssl/certs']),
    /ca-certificates\.crt/,
  );
});
