/**
 * The `docker-daemon:` transport against the real Docker engine: an image distill wrote and the
 * engine loaded reads back through the engine API with the same config and layers; `--load` goes
 * through the same transport; a missing image is DOCKER_IMAGE_NOT_FOUND and leaves no export behind.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { distill } from '../helpers/cli.ts';
import { requireDocker, tempDir } from '../helpers/tools.ts';

interface Inspected {
  images: { config: { digest: string }; layers: { diffId: string }[] }[];
}

const inspect = (ref: string) => {
  const r = distill(['inspect', ref, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Inspected;
  const img = j.images[0] as Inspected['images'][number];
  return { config: img.config.digest, diffIds: img.layers.map((l) => l.diffId) };
};

const exports = async () => (await readdir(tmpdir())).filter((n) => n.startsWith('distill-daemon-')).sort();

describe('docker-daemon: transport', () => {
  it('reads back what the engine loaded: same config digest and diffIds as the layout', async (t) => {
    if (!requireDocker(t)) return;
    const dir = await tempDir(t);
    const tag = 'distill-e2e/daemon:1';
    t.after(() => spawnSync('docker', ['rmi', '-f', tag]));
    const layout = join(dir, 'lay');
    const archive = join(dir, 's.tar');
    assert.equal(
      distill(['base', 'static', '--output', layout, '--archive', archive, '--tag', tag]).status,
      0,
    );
    assert.equal(spawnSync('docker', ['load', '-i', archive]).status, 0);
    const before = await exports();
    const fromEngine = inspect(`docker-daemon:${tag}`);
    assert.deepEqual(fromEngine, inspect(`oci:${layout}:${tag}`));
    assert.deepEqual(await exports(), before, 'the export is removed when the process ends');
  });

  it('an image from-dir, loaded into the engine, reads back with the same diffIds', async (t) => {
    if (!requireDocker(t)) return;
    const dir = await tempDir(t);
    const tag = 'distill-e2e/daemon:2';
    t.after(() => spawnSync('docker', ['rmi', '-f', tag]));
    const root = join(dir, 'root');
    spawnSync('mkdir', ['-p', join(root, 'etc')]);
    spawnSync('sh', ['-c', `echo hi > ${join(root, 'etc', 'hi')}`]);
    const load = distill([
      'image',
      'from-dir',
      root,
      '--tag',
      tag,
      '--output',
      join(dir, 'lay'),
      '--archive',
      join(dir, 'a.tar'),
    ]);
    assert.equal(load.status, 0, load.stderr);
    assert.equal(spawnSync('docker', ['load', '-i', join(dir, 'a.tar')]).status, 0);
    assert.deepEqual(
      inspect(`docker-daemon:${tag}`).diffIds,
      inspect(`oci:${join(dir, 'lay')}:${tag}`).diffIds,
    );
  });

  it('a missing image is DOCKER_IMAGE_NOT_FOUND; nothing is left in the temp dir', async (t) => {
    if (!requireDocker(t)) return;
    const before = await exports();
    const r = distill(['inspect', 'docker-daemon:distill-e2e/no-such-image:0']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /DOCKER_IMAGE_NOT_FOUND/);
    assert.deepEqual(await exports(), before);
  });
});
