/**
 * `distill image from-dir` against the real peers: oci-image-tool, skopeo, umoci + runc, and the
 * Docker engine, with Debian's static busybox as the image's content.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { distill, needTools } from '../helpers/cli.ts';

const BUSYBOX = '/bin/busybox';

describe('image from-dir with real peers', () => {
  let work: string;
  let rootfs: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'distill-e2e-fromdir-'));
    rootfs = join(work, 'rootfs');
    await mkdir(join(rootfs, 'etc'), { recursive: true });
    await copyFile(BUSYBOX, join(rootfs, 'busybox')).catch(() => undefined);
    await writeFile(join(rootfs, 'etc', 'hello.txt'), 'hello\n');
    await symlink('../../etc', join(rootfs, 'etc', 'escape'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('is a valid layout that skopeo inspects, umoci unpacks and runc runs', async (t) => {
    if (!needTools(t, [`busybox-static:${BUSYBOX}`, 'oci-image-tool', 'skopeo', 'umoci', 'runc'])) return;
    const out = join(work, 'layout');
    const r = distill([
      'image',
      'from-dir',
      rootfs,
      '--output',
      out,
      '--tag',
      'bb',
      '--entrypoint',
      '["/busybox"]',
      '--cmd',
      '["echo","ok"]',
      '--json',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const res = JSON.parse(r.stdout);
    assert.match(res.digest, /^sha256:[a-f0-9]{64}$/);
    // Debian's oci-image-tool (1.0.0-rc1) has no `--type imageLayout`; `--type image` detects the
    // layout and validates every ref in it, blobs included.
    const v = execFileSync('oci-image-tool', ['validate', '--type', 'image', '--ref', 'name=bb', out], {
      encoding: 'utf8',
    });
    assert.match(v, /autodetected image file type is: imageLayout/);
    const info = JSON.parse(
      execFileSync('skopeo', ['inspect', '--config', `oci:${out}:bb`], { encoding: 'utf8' }),
    );
    assert.deepEqual(info.config.Entrypoint, ['/busybox']);
    assert.deepEqual(info.config.Cmd, ['echo', 'ok']);
    assert.equal(info.created, '1970-01-01T00:00:00Z');
    const bundle = join(work, 'bundle');
    execFileSync('umoci', ['unpack', '--image', `${out}:bb`, bundle]);
    // Symlinks stay symlinks, never followed.
    const link = execFileSync('readlink', [join(bundle, 'rootfs/etc/escape')], { encoding: 'utf8' }).trim();
    assert.equal(link, '../../etc');
    const cfg = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8'));
    assert.deepEqual(cfg.process.args, ['/busybox', 'echo', 'ok']);
    cfg.process.terminal = false;
    await writeFile(join(bundle, 'config.json'), JSON.stringify(cfg));
    const id = `distill-e2e-${process.pid}`;
    const run = spawnSync('runc', ['run', '--bundle', bundle, id], { encoding: 'utf8', timeout: 60_000 });
    spawnSync('runc', ['delete', '--force', id]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'ok');
  });

  it('loads into docker and runs', async (t) => {
    if (!needTools(t, [`busybox-static:${BUSYBOX}`, 'docker.io:docker'])) return;
    const archive = join(work, 'bb.tar');
    const tag = `distill-e2e-busybox:${process.pid}`;
    const r = distill(['image', 'from-dir', rootfs, '--archive', archive, '--tag', tag]);
    assert.equal(r.status, 0, r.stderr);
    try {
      execFileSync('docker', ['load', '-i', archive]);
      const run = execFileSync(
        'docker',
        ['run', '--rm', '--network', 'host', tag, '/busybox', 'echo', 'ok'],
        { encoding: 'utf8' },
      );
      assert.equal(run.trim(), 'ok');
    } finally {
      spawnSync('docker', ['rmi', '-f', tag]);
    }
  });

  it('is reproducible: same digest twice, another with another SOURCE_DATE_EPOCH', async () => {
    const digest = (env: Record<string, string>) => {
      const r = distill(
        ['image', 'from-dir', rootfs, '--output', join(work, `repro-${Math.random()}`), '--json'],
        env,
      );
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout).digest as string;
    };
    const a = digest({});
    assert.equal(digest({}), a);
    assert.equal(digest({ SOURCE_DATE_EPOCH: '0' }), a);
    assert.notEqual(digest({ SOURCE_DATE_EPOCH: '1700000000' }), a);
  });

  it('survives skopeo copy to a docker-archive and back with the same layer digests', async (t) => {
    if (!needTools(t, ['skopeo'])) return;
    const out = join(work, 'copy-src');
    assert.equal(distill(['image', 'from-dir', rootfs, '--output', out, '--tag', 'x']).status, 0);
    const arch = join(work, 'copy.tar');
    const back = join(work, 'copy-back');
    execFileSync('skopeo', ['copy', `oci:${out}:x`, `docker-archive:${arch}:copy:latest`]);
    execFileSync('skopeo', ['copy', `docker-archive:${arch}`, `oci:${back}:x`]);
    const config = (dir: string) =>
      JSON.parse(execFileSync('skopeo', ['inspect', '--config', `oci:${dir}:x`], { encoding: 'utf8' }));
    const ours = config(out).rootfs.diff_ids;
    // A docker archive stores layers uncompressed (as docker save does), so the layer digests
    // that survive every hop are the diff_ids: the archive's layer files are named by them, and
    // skopeo's re-compressed copy back into a layout still has them.
    assert.deepEqual(config(back).rootfs.diff_ids, ours);
    // The config is written as Go writes it, so skopeo's re-marshalled copy has the same digest.
    const configDigest = (ref: string) =>
      JSON.parse(execFileSync('skopeo', ['inspect', '--raw', ref], { encoding: 'utf8' })).config.digest;
    assert.equal(configDigest(`oci:${back}:x`), configDigest(`oci:${out}:x`));
    const listing = execFileSync('tar', ['-tf', arch], { encoding: 'utf8' });
    for (const d of ours) assert.ok(listing.includes(d.slice(7)), `archive holds layer ${d}`);
    // And our own --archive goes the same way through skopeo.
    const own = join(work, 'own.tar');
    assert.equal(distill(['image', 'from-dir', rootfs, '--archive', own, '--tag', 'own:1']).status, 0);
    execFileSync('skopeo', ['copy', `docker-archive:${own}`, `oci:${join(work, 'own-back')}:x`]);
    assert.deepEqual(config(join(work, 'own-back')).rootfs.diff_ids, ours);
  });

  it('fails on a fifo with a stable code and writes nothing; --skip-special warns and goes on', async () => {
    const dir = join(work, 'fifo-root');
    await mkdir(dir);
    await writeFile(join(dir, 'a'), 'a');
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const out = join(work, 'fifo-out');
    const r = distill(['image', 'from-dir', dir, '--output', out]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /LAYER_ENTRY_UNSUPPORTED/);
    await assert.rejects(stat(out), { code: 'ENOENT' });
    const ok = distill(['image', 'from-dir', dir, '--output', out, '--skip-special']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stderr, /skipped pipe \(fifo\)/);
    assert.ok((await readdir(out)).includes('index.json'));
  });

  it('rejects a missing directory and bad flags with clear errors', () => {
    const r = distill(['image', 'from-dir', join(work, 'nope'), '--output', join(work, 'nope-out')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /LAYER_SOURCE_INVALID/);
    const bad = distill(['image', 'from-dir', rootfs, '--entrypoint', '[1,2]']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /JSON array of strings/);
  });
});
