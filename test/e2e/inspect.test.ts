/**
 * `distill inspect`, the layout and docker-archive sources/sinks against the real peers: layouts
 * made by skopeo and umoci, archives made by `docker save`, and distill's own outputs read by
 * skopeo, umoci, oci-image-tool and `docker load`. Sizes and layer digests must agree with
 * `skopeo inspect` (digests) and `skopeo inspect --raw` (sizes).
 */
import assert from 'node:assert/strict';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { writeDockerArchive } from '../../src/oci/archive/index.ts';
import { createImage, fileLayer, type Image, MediaTypes, sha256, validate } from '../../src/oci/index.ts';
import { readLayout, writeLayout } from '../../src/oci/layout/index.ts';
import { openSource } from '../../src/transports/index.ts';
import { testIndex } from '../helpers/images.ts';
import { requireDocker, requireTool, runDistill, runOk, tempDir } from '../helpers/tools.ts';

const BUSYBOX = '/bin/busybox';

/** A rootfs with Debian's static busybox and a file. */
async function rootfs(dir: string): Promise<string> {
  const root = join(dir, 'rootfs');
  await mkdir(join(root, 'etc'), { recursive: true });
  await copyFile(BUSYBOX, join(root, 'busybox'));
  await writeFile(join(root, 'etc', 'motd'), 'distill e2e\n');
  return root;
}

/** A gzip layer made by GNU tar and gzip (independent of distill's layer writer). */
async function tarLayer(dir: string, root: string) {
  const tar = join(dir, 'layer.tar');
  runOk('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-C',
    root,
    '-cf',
    tar,
    '.',
  ]);
  runOk('sh', ['-c', `gzip -n -c "${tar}" > "${tar}.gz"`]);
  const raw = await readFile(tar);
  const gz = await readFile(`${tar}.gz`);
  return fileLayer(
    `${tar}.gz`,
    { mediaType: MediaTypes.ociLayerGzip, digest: sha256(gz), size: gz.length },
    sha256(raw),
    raw.length,
  );
}

async function busyboxImage(t: TestContext): Promise<{ dir: string; image: Image }> {
  const dir = await tempDir(t, 'distill-e2e-inspect-');
  const layer = await tarLayer(dir, await rootfs(dir));
  const image = createImage({
    config: {
      architecture: 'amd64',
      os: 'linux',
      created: '1970-01-01T00:00:00Z',
      config: {
        Entrypoint: ['/busybox'],
        Cmd: ['echo', 'ok'],
        User: '65532',
        WorkingDir: '/',
        Labels: { a: 'b' },
      },
    },
    layers: [layer],
  });
  return { dir, image };
}

interface View {
  layers: string[];
  sizes: number[];
}

function skopeoView(ref: string): View & { config: { Entrypoint?: string[]; Cmd?: string[] } } {
  const info = JSON.parse(runOk('skopeo', ['inspect', ref]));
  const raw = JSON.parse(runOk('skopeo', ['inspect', '--raw', ref]));
  const config = JSON.parse(runOk('skopeo', ['inspect', '--config', ref])).config ?? {};
  return { layers: info.Layers, sizes: raw.layers.map((l: { size: number }) => l.size), config };
}

function distillView(ref: string) {
  const r = runDistill(['inspect', ref, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  const img = report.images[0];
  return {
    layers: img.layers.map((l: { digest: string }) => l.digest),
    sizes: img.layers.map((l: { size: number }) => l.size),
    report,
    img,
  };
}

/** distill's view equals skopeo's, and the source passes validate() reading every blob. */
async function assertSameAsSkopeo(ref: string) {
  await validate(await openSource(ref), { deep: true });
  const s = skopeoView(ref);
  const d = distillView(ref);
  assert.deepEqual(d.layers, s.layers, `layer digests of ${ref}`);
  assert.deepEqual(d.sizes, s.sizes, `layer sizes of ${ref}`);
  assert.deepEqual(d.img.config.entrypoint, s.config.Entrypoint);
  assert.deepEqual(d.img.config.cmd, s.config.Cmd);
  assert.equal(
    d.img.totals.size,
    s.sizes.reduce((a, b) => a + b, 0),
  );
  for (const l of d.img.layers)
    assert.ok(Number.isInteger(l.uncompressedSize) && l.uncompressedSize >= l.size / 100);
  return d;
}

describe('inspect and the layout/archive sources against real peers', () => {
  it('reads a layout made by skopeo from a distill docker archive, as skopeo does', async (t) => {
    if (!requireTool(t, 'skopeo', 'skopeo') || !requireTool(t, BUSYBOX, 'busybox-static')) return;
    const { dir, image } = await busyboxImage(t);
    const archive = join(dir, 'bb.tar');
    await writeDockerArchive(archive, [{ artifact: image, tags: ['distill-e2e/bb:1'] }]);
    runOk('skopeo', ['copy', '--quiet', `docker-archive:${archive}`, `oci:${dir}/sk:t`]);
    const d = await assertSameAsSkopeo(`oci:${dir}/sk:t`);
    // skopeo re-marshals the config when it converts to OCI (Go field order), so only the
    // diffIDs, not the config digest, are carried over: compare what the config says.
    assert.deepEqual(
      d.img.layers.map((l: { diffId: string }) => l.diffId),
      image.layers.map((l) => l.diffId),
    );
    assert.equal(d.img.config.user, '65532');
    assert.deepEqual(d.img.config.labels, { a: 'b' });
    assert.equal(d.img.layers[0].uncompressedSizeFrom, 'measured');
    // and skopeo's view of distill's archive is distill's view of it
    await assertSameAsSkopeo(`docker-archive:${archive}`);
  });

  it('reads a layout made by umoci (init, new, repack of a small tree), as skopeo does', async (t) => {
    if (!requireTool(t, 'umoci', 'umoci') || !requireTool(t, 'skopeo', 'skopeo')) return;
    if (!requireTool(t, BUSYBOX, 'busybox-static')) return;
    const dir = await tempDir(t, 'distill-e2e-umoci-');
    const layout = join(dir, 'um');
    runOk('umoci', ['init', '--layout', layout]);
    runOk('umoci', ['new', '--image', `${layout}:t`]);
    const bundle = join(dir, 'bundle');
    runOk('umoci', ['unpack', '--image', `${layout}:t`, bundle]);
    await copyFile(BUSYBOX, join(bundle, 'rootfs', 'busybox'));
    await mkdir(join(bundle, 'rootfs', 'etc'), { recursive: true });
    await writeFile(join(bundle, 'rootfs', 'etc', 'motd'), 'umoci\n');
    runOk('umoci', ['repack', '--image', `${layout}:t`, bundle]);
    runOk('umoci', [
      'config',
      '--image',
      `${layout}:t`,
      '--config.entrypoint',
      '/busybox',
      '--config.cmd',
      'true',
    ]);
    const d = await assertSameAsSkopeo(`oci:${layout}:t`);
    assert.equal(d.layers.length, 1);
    assert.deepEqual(d.report.platforms, ['linux/amd64']);
  });

  it('reads archives made by docker save (one and two images), as skopeo does', async (t) => {
    if (
      !requireDocker(t) ||
      !requireTool(t, 'skopeo', 'skopeo') ||
      !requireTool(t, BUSYBOX, 'busybox-static')
    )
      return;
    const dir = await tempDir(t, 'distill-e2e-save-');
    const root = await rootfs(dir);
    const tag = `distill-e2e/imported:${process.pid}`;
    const tag2 = `distill-e2e/imported2:${process.pid}`;
    runOk('sh', [
      '-c',
      `tar -C "${root}" -cf - . | docker import --change 'ENTRYPOINT ["/busybox"]' - ${tag}`,
    ]);
    t.after(() => void runOk('docker', ['rmi', '-f', tag, tag2]));
    runOk('docker', ['tag', tag, tag2]);
    const one = join(dir, 'one.tar');
    runOk('docker', ['save', '-o', one, tag]);
    const d = await assertSameAsSkopeo(`docker-archive:${one}`);
    assert.equal(d.img.layers[0].uncompressedSizeFrom, 'source');
    // Two names in one archive: picked by name, ambiguous without one.
    const base = await busyboxImage(t);
    const ours = join(dir, 'ours.tar');
    await writeDockerArchive(ours, [{ artifact: base.image, tags: [`distill-e2e/ours:${process.pid}`] }]);
    runOk('docker', ['load', '-q', '-i', ours]);
    t.after(() => void runOk('docker', ['rmi', '-f', `distill-e2e/ours:${process.pid}`]));
    const two = join(dir, 'two.tar');
    runOk('docker', ['save', '-o', two, tag, `distill-e2e/ours:${process.pid}`]);
    const amb = runDistill(['inspect', `docker-archive:${two}`]);
    assert.equal(amb.status, 1);
    assert.match(amb.stderr, /OCI_REF_AMBIGUOUS/);
    await assertSameAsSkopeo(`docker-archive:${two}:${tag}`);
    const picked = await assertSameAsSkopeo(`docker-archive:${two}:distill-e2e/ours:${process.pid}`);
    assert.equal(picked.img.config.digest, base.image.manifest.config.digest);
  });

  it('distill archives load into docker and run, with layers uncompressed or as stored (gzip)', async (t) => {
    if (!requireDocker(t) || !requireTool(t, BUSYBOX, 'busybox-static')) return;
    const { dir, image } = await busyboxImage(t);
    for (const layers of ['uncompressed', 'as-stored'] as const) {
      const tag = `distill-e2e/load-${layers}:${process.pid}`;
      const file = join(dir, `${layers}.tar`);
      await writeDockerArchive(file, [{ artifact: image, tags: [tag] }], { layers });
      t.after(() => void runOk('docker', ['rmi', '-f', tag]));
      assert.match(runOk('docker', ['load', '-i', file]), new RegExp(`Loaded image: ${tag}`));
      // docker's image ID is the config digest: the same image whatever the layer storage.
      assert.equal(
        runOk('docker', ['image', 'inspect', '-f', '{{.Id}}', tag]).trim(),
        image.manifest.config.digest,
      );
      const diffIds = JSON.parse(runOk('docker', ['image', 'inspect', '-f', '{{json .RootFS.Layers}}', tag]));
      assert.deepEqual(
        diffIds,
        image.layers.map((l) => l.diffId),
      );
      const out = runOk('docker', ['run', '--rm', '--network=host', '--user', '0', tag, 'echo', 'ok']);
      assert.equal(out.trim(), 'ok');
    }
  });

  it('a distill layout passes oci-image-tool and umoci, and keeps its diffIDs through skopeo via a docker archive', async (t) => {
    if (!requireTool(t, 'skopeo', 'skopeo') || !requireTool(t, 'oci-image-tool', 'oci-image-tool')) return;
    if (!requireTool(t, 'umoci', 'umoci') || !requireTool(t, BUSYBOX, 'busybox-static')) return;
    const { dir, image } = await busyboxImage(t);
    const layout = join(dir, 'lay');
    await writeLayout(layout, [{ artifact: image, tag: 'v1' }]);
    runOk('oci-image-tool', ['validate', '--type', 'image', '--ref', 'name=v1', layout]);
    runOk('umoci', ['unpack', '--image', `${layout}:v1`, join(dir, 'bundle')]);
    await assertSameAsSkopeo(`oci:${layout}:v1`);
    runOk('skopeo', ['copy', '--quiet', `oci:${layout}:v1`, `docker-archive:${dir}/sk.tar:distill-e2e/rt:1`]);
    runOk('skopeo', ['copy', '--quiet', `docker-archive:${dir}/sk.tar`, `oci:${layout}:back`]);
    const back = await readLayout(layout, 'back');
    const orig = await readLayout(layout, 'v1');
    assert.ok(back.kind === 'image' && orig.kind === 'image');
    // The diffIDs survive; skopeo stores layers uncompressed in the archive and re-gzips them on
    // the way back, so compressed digests do not, and it re-marshals the config in Go's field
    // order, so the config digest changes unless it was written in that order
    // (src/oci/archive/README.md).
    assert.deepEqual(
      back.layers.map((l) => l.diffId),
      orig.layers.map((l) => l.diffId),
    );
    assert.deepEqual(back.config.config, orig.config.config);
    assert.equal(
      JSON.parse(runOk('skopeo', ['inspect', `docker-archive:${dir}/sk.tar`])).Layers[0],
      image.layers[0]?.diffId,
    );
  });

  it('a multi-platform layout written by distill is read per platform by skopeo and distill alike', async (t) => {
    if (!requireTool(t, 'skopeo', 'skopeo')) return;
    const dir = await tempDir(t, 'distill-e2e-multi-');
    const idx = await testIndex();
    await writeLayout(join(dir, 'm'), [{ artifact: idx, tag: 'multi' }]);
    const ref = `oci:${join(dir, 'm')}:multi`;
    for (const [arch, platform] of [
      ['amd64', 'linux/amd64'],
      ['arm64', 'linux/arm64'],
    ] as const) {
      const info = JSON.parse(runOk('skopeo', ['--override-arch', arch, 'inspect', ref]));
      const r = runDistill(['inspect', ref, '--platform', platform, '--json']);
      assert.equal(r.status, 0, r.stderr);
      const img = JSON.parse(r.stdout).images[0];
      assert.equal(info.Architecture, arch);
      assert.deepEqual(
        img.layers.map((l: { digest: string }) => l.digest),
        info.Layers,
      );
    }
    const all = JSON.parse(runDistill(['inspect', ref, '--json']).stdout);
    assert.deepEqual(all.platforms, ['linux/amd64', 'linux/arm64/v8']);
  });

  it('distill inspect reports bad input with stable codes', async (t) => {
    const dir = await tempDir(t, 'distill-e2e-bad-');
    await writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    await writeFile(join(dir, 'index.json'), 'not json');
    let r = runDistill(['inspect', `oci:${dir}`]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^distill: error OCI_JSON_INVALID: /);
    await writeFile(join(dir, 'x.tar'), Buffer.alloc(700, 1));
    r = runDistill(['inspect', `docker-archive:${join(dir, 'x.tar')}`]);
    assert.match(r.stderr, /OCI_ARCHIVE_(INVALID|TRUNCATED)/);
    r = runDistill(['inspect', 'nothing-here']);
    assert.match(r.stderr, /IMAGE_REF_INVALID/);
    r = runDistill(['inspect', `oci:${dir}`, '--platform', 'linux']);
    assert.equal(r.status, 1);
  });
});
